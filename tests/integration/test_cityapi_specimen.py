"""Specimens of the catalogue's certificates, end to end over real HTTP on 127.0.0.1: the
reference server renders page 1 of the real template with placeholder data and a SPECIMEN
mark; the kiosk's client fetches it (size limit, PNG check, ETag revalidation) and the
runtime's fetcher fills its bounded cache, giving up at once when the service is down."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests
from PIL import Image
from pypdf import PdfReader

from kiosk.cityapi import CityApiClient, CityApiError, ErrorKind
from kiosk.cityapi.client import MAX_SPECIMEN_BYTES, PNG_SIGNATURE
from kiosk.config import CityApiSettings
from kiosk.refserver.catalogue import BY_ID
from kiosk.refserver.specimen import (
    PLACEHOLDER_CODE,
    SpecimenUnavailable,
    first_page_png,
    specimen_pdf,
)
from kiosk.wiring.specimens import SpecimenCache, fetch_specimens
from tests.harness.cityapi import RefServer, enrol, start_refserver
from tests.harness.http import serve_http

pytestmark = pytest.mark.integration

FAST = {"connect_timeout": 0.5, "read_timeout": 2.0, "retries": 0, "backoff_factor": 0.05}
A4 = 297 / 210


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    running = start_refserver(tmp_path_factory.mktemp("cityapi-specimen") / "data")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(server: RefServer) -> str:
    return enrol(server, "kiosk-specimen-01")


@pytest.fixture
def make_client(
    server: RefServer, token: str, tmp_path: Path
) -> Iterator[Callable[..., CityApiClient]]:
    made: list[CityApiClient] = []

    def make(url: str | None = None) -> CityApiClient:
        settings = CityApiSettings(
            token_file=tmp_path / "token", catalogue_cache=tmp_path / "catalogue.json", **FAST
        )
        client = CityApiClient(settings, url or server.url, token=token)
        made.append(client)
        return client

    yield make
    server.clear_faults()
    for client in made:
        client.close()


def get(server: RefServer, path: str, token: str | None, **headers: str) -> requests.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(f"{server.url}{path}", headers=headers, timeout=10)


def count_requests(server: RefServer) -> None:
    """A fault rule that changes nothing but counts the specimen requests it sees."""
    server.set_faults(
        {"kind": "latency", "seconds": 0, "count": 1000, "path_prefix": "/v1/catalogue/"}
    )


def requests_seen(server: RefServer) -> int:
    return 1000 - int(requests.get(f"{server.url}/_faults", timeout=5).json()[0]["count"])


# -- the server --------------------------------------------------------------------------------


def test_a_specimen_is_page_one_as_a_png_in_each_language(server: RefServer, token: str) -> None:
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
    assert kind.item.name.nl in text and "Stad Brussel" in text  # the certificate's own words
    assert text.count("SPECIMEN") >= 3  # the name, the diagonal mark and the banner
    assert PLACEHOLDER_CODE in text


def test_without_poppler_there_is_no_specimen_rather_than_a_wrong_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pdf = specimen_pdf(BY_ID["residence"], "en")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pdftoppm there: the server answers 503
    with pytest.raises(SpecimenUnavailable, match="poppler-utils"):
        first_page_png(pdf)


def test_if_none_match_gives_304_without_a_body(server: RefServer, token: str) -> None:
    path = "/v1/catalogue/life/specimen?lang=de"
    etag = get(server, path, token).headers["ETag"]
    for sent in (etag, f'W/{etag}, "other"', "*"):
        again = get(server, path, token, **{"If-None-Match": sent})
        assert again.status_code == 304 and not again.content
        assert again.headers["ETag"] == etag
    other = get(server, "/v1/catalogue/life/specimen?lang=en", token, **{"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_errors_are_problems(server: RefServer, token: str) -> None:
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


# -- the client --------------------------------------------------------------------------------


def test_the_client_fetches_then_revalidates_with_its_etag(
    server: RefServer, make_client: Callable[..., CityApiClient]
) -> None:
    client = make_client()
    count_requests(server)
    first = client.document_specimen("nationality", "en")
    second = client.document_specimen("nationality", "en")
    assert first.startswith(PNG_SIGNATURE)
    assert second is first  # the kept copy: the server answered 304, with no body
    assert requests_seen(server) == 2
    assert client.document_specimen("nationality", "fr") != first


def test_the_client_refuses_bad_answers(make_client: Callable[..., CityApiClient]) -> None:
    answers: dict[str, tuple[int, bytes, dict[str, str]]] = {
        "big": (200, PNG_SIGNATURE + bytes(MAX_SPECIMEN_BYTES), {}),
        "json": (200, b'{"not": "a picture"}', {}),
        "unasked": (304, b"", {}),
        "silent": (200, PNG_SIGNATURE + bytes(100), {"ETag": '"bad\x7f"'}),
    }

    class Odd(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body, headers = answers[self.path.split("/")[3]]
            self.send_response(status)
            self.send_header("Content-Type", "image/png")
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    with serve_http(Odd) as url:
        client = make_client(url)
        for name in ("big", "json", "unasked"):
            with pytest.raises(CityApiError) as refused:
                client.document_specimen(name, "fr")
            assert refused.value.kind is ErrorKind.BAD_RESPONSE, name
        # A PNG with an ETag that could not go back in a header: used, not kept.
        assert client.document_specimen("silent", "fr").startswith(PNG_SIGNATURE)
        assert len(client.specimens) == 0
    with pytest.raises(ValueError):
        client.document_specimen("residence", "it")  # type: ignore[arg-type]
    with pytest.raises(CityApiError) as unsafe:
        client.document_specimen("../status", "fr")
    assert unsafe.value.kind is ErrorKind.BAD_RESPONSE


# -- the runtime's fetcher -------------------------------------------------------------------


def test_the_fetcher_fills_a_bounded_cache_and_skips_what_it_has(
    server: RefServer, make_client: Callable[..., CityApiClient]
) -> None:
    client = make_client()
    ids = ["residence", "household", "nationality", "no_such_thing", "life"]
    cache = SpecimenCache(max_entries=3)
    assert fetch_specimens(client, ids, "nl", cache) == 4  # the unknown one is skipped
    assert len(cache) == 3  # least recently used out first
    assert cache.get("residence", "nl") is None
    assert (cache.get("life", "nl") or b"").startswith(PNG_SIGNATURE)
    count_requests(server)
    assert fetch_specimens(client, ["life", "nationality"], "nl", cache) == 0
    assert requests_seen(server) == 0  # fresh: not even asked
    assert fetch_specimens(client, ["life"], "xx", cache) == 0


def test_the_fetcher_gives_up_at_once_when_the_service_is_down(
    server: RefServer, make_client: Callable[..., CityApiClient]
) -> None:
    client = make_client()
    cache = SpecimenCache()
    server.set_faults(
        {"kind": "error", "status": 503, "count": 1000, "path_prefix": "/v1/catalogue/"}
    )
    started = time.monotonic()
    assert fetch_specimens(client, list(BY_ID), "de", cache) == 0
    assert time.monotonic() - started <= client.worst_case_s + 0.5
    assert requests_seen(server) == 1 and len(cache) == 0
