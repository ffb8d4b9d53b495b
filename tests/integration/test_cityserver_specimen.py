"""Specimens of the catalogue's certificates over real HTTP on 127.0.0.1: the reference server
renders page 1 of the real template with placeholder data and a SPECIMEN mark, as a PNG with
an ETag, and answers errors as problems."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image
from pypdf import PdfReader

from cityserver.catalogue import BY_ID
from cityserver.specimen import (
    PLACEHOLDER_CODE,
    SpecimenUnavailable,
    first_page_png,
    specimen_pdf,
)
from kiosk.cityclient.client import MAX_SPECIMEN_BYTES, PNG_SIGNATURE
from tests.harness.cityserver import CityServer, enrol, start_cityserver

pytestmark = pytest.mark.integration

A4 = 297 / 210


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    running = start_cityserver(tmp_path_factory.mktemp("cityapi-specimen") / "data")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(server: CityServer) -> str:
    return enrol(server, "kiosk-specimen-01")


def get(server: CityServer, path: str, token: str | None, **headers: str) -> requests.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(f"{server.url}{path}", headers=headers, timeout=10)


def test_a_specimen_is_page_one_as_a_png_in_each_language(server: CityServer, token: str) -> None:
    pages: dict[str, bytes] = {}
    for lang in ("fr", "nl"):
        answer = get(server, f"/v1/catalogue/residence/specimen?lang={lang}", token)
        assert answer.status_code == 200, answer.text
        assert answer.headers["Content-Type"] == "image/png"
        assert answer.headers["ETag"].startswith('"')
        png = answer.content
        assert png.startswith(PNG_SIGNATURE) and 10_000 < len(png) < MAX_SPECIMEN_BYTES
        image = Image.open(io.BytesIO(png)).convert("RGB")
        width, height = image.size
        assert 550 <= width <= 650 and height / width == pytest.approx(A4, rel=0.01)  # page 1
        data = image.tobytes()
        pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
        dark = sum(1 for r, g, b in pixels if r + g + b < 200)
        mark = sum(1 for r, g, b in pixels if r > 180 and g < 190 and b < 190 and r - g > 40)
        assert dark > 0.005 * len(pixels), "text and QR code are drawn"
        assert mark > 0.02 * len(pixels), "the red SPECIMEN mark crosses the page"
        pages[lang] = png
    assert pages["fr"] != pages["nl"]


def test_the_specimen_is_the_real_template_with_placeholders_and_the_mark() -> None:
    kind = BY_ID["household"]
    text = PdfReader(io.BytesIO(specimen_pdf(kind, "nl"))).pages[0].extract_text()
    assert kind.title("nl") in text and "Stad Brussel" in text  # the certificate's own words
    assert text.count("SPECIMEN") >= 3  # the name, the diagonal mark and the banner
    assert PLACEHOLDER_CODE in text


def test_without_poppler_there_is_no_specimen_rather_than_a_wrong_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pdf = specimen_pdf(BY_ID["residence"], "en")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pdftoppm there: the server answers 503
    with pytest.raises(SpecimenUnavailable, match="poppler-utils"):
        first_page_png(pdf)


def test_if_none_match_gives_304_without_a_body(server: CityServer, token: str) -> None:
    path = "/v1/catalogue/life/specimen?lang=de"
    etag = get(server, path, token).headers["ETag"]
    for sent in (etag, f'W/{etag}, "other"', "*"):
        again = get(server, path, token, **{"If-None-Match": sent})
        assert again.status_code == 304 and not again.content
        assert again.headers["ETag"] == etag
    other = get(server, "/v1/catalogue/life/specimen?lang=en", token, **{"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_errors_are_problems(server: CityServer, token: str) -> None:
    unknown = get(server, "/v1/catalogue/no_such_thing/specimen?lang=fr", token)
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"] == "application/problem+json"
    assert unknown.json()["code"] == "not_found"
    for query in ("?lang=it", ""):
        bad = get(server, f"/v1/catalogue/residence/specimen{query}", token)
        assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    anonymous = get(server, "/v1/catalogue/residence/specimen?lang=fr", None)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorised"
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    wrong = get(server, "/v1/catalogue/residence/specimen?lang=fr", "not-a-token")
    assert wrong.status_code == 401
