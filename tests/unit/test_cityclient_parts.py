"""The client's pure parts: header and URL parsing (property-based), error mapping, time
bound, token file, catalogue cache, and the client never importing the server."""

from __future__ import annotations

import base64
import datetime
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from cityapi.models import LANGUAGES
from cityserver.catalogue import published_catalogue
from kiosk.cityclient.catalogue_cache import CatalogueCache
from kiosk.cityclient.client import parse_repr_digest
from kiosk.cityclient.errors import PLAIN_SENTENCES, CityApiError, ErrorKind, plain_sentence
from kiosk.cityclient.tokens import TokenFile
from kiosk.cityclient.transport import Reply, check_base_url, error_for_status, worst_case_s
from kiosk.config import CityApiSettings

BOUNDED = settings(max_examples=200, deadline=None)


@BOUNDED
@given(st.binary(min_size=32, max_size=32), st.sampled_from(["", "sha-512=:AAAA:, ", "x=1,"]))
def test_repr_digest_round_trips(digest: bytes, before: str) -> None:
    header = f"{before}sha-256=:{base64.b64encode(digest).decode()}:"
    assert parse_repr_digest(header) == digest


@BOUNDED
@given(st.text(max_size=200))
def test_repr_digest_never_raises_and_only_accepts_32_bytes(header: str) -> None:
    found = parse_repr_digest(header)
    assert found is None or len(found) == 32


def test_repr_digest_rejects_other_lengths() -> None:
    assert parse_repr_digest("sha-256=:" + base64.b64encode(b"short").decode() + ":") is None
    assert parse_repr_digest("sha-256=:not base64!:") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://api.brussels.example/city",
        "https://10.0.0.1:8443/",
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:80",
    ],
)
def test_allowed_base_urls(url: str) -> None:
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://api.brussels.example",
        "ftp://127.0.0.1",
        "https://",
        "https://u:p@host/",
        "https://host/?q=1",
        "127.0.0.1:8080",
    ],
)
def test_refused_base_urls(url: str) -> None:
    with pytest.raises(ValueError):
        check_base_url(url)


@BOUNDED
@given(st.text(max_size=100))
def test_base_url_check_raises_only_value_error(url: str) -> None:
    try:
        result = check_base_url(url)
    except ValueError:
        return
    assert result.startswith(("https://", "http://"))


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, ErrorKind.SERVER_ERROR),
        (503, ErrorKind.SERVER_ERROR),
        (401, ErrorKind.UNAUTHORISED),
        (403, ErrorKind.REFUSED),
        (404, ErrorKind.REFUSED),
        (422, ErrorKind.REFUSED),
    ],
)
def test_status_mapping(status: int, kind: ErrorKind) -> None:
    body = b'{"title": "x", "status": %d, "code": "some_code", "detail": "why"}' % status
    error = error_for_status("call", Reply(status, {}, body))
    assert error.kind is kind and error.code == "some_code" and "why" in str(error)
    garbage = error_for_status("call", Reply(status, {}, b"<html>"))
    assert garbage.kind is kind and garbage.code is None


@pytest.mark.parametrize("status", [200, 204, 302])
def test_a_status_the_call_does_not_expect_is_a_bad_answer_not_a_refusal(status: int) -> None:
    # E.g. a fault-injected 200 with cut JSON to a 201 call: its outcome is unknown.
    error = error_for_status("call", Reply(status, {}, b'{"truncated": [1, 2'))
    assert error.kind is ErrorKind.BAD_RESPONSE


def test_worst_case_grows_with_every_setting() -> None:
    base = CityApiSettings(connect_timeout=1, read_timeout=2, retries=2, backoff_factor=0.5)
    # 3 attempts x 3 s, back-off 1 s before the third attempt, 2 s for a body.
    assert worst_case_s(base) == pytest.approx(3 * 3 + 1 + 2)
    more = replace(base, retries=3)
    assert worst_case_s(more) > worst_case_s(base)


def test_every_kind_has_a_plain_sentence_in_every_language() -> None:
    assert set(PLAIN_SENTENCES) == set(ErrorKind)
    for kind in ErrorKind:
        for language in LANGUAGES:
            sentence = plain_sentence(kind, language)
            assert sentence.endswith(".") and len(sentence) < 120
    assert "counter" in plain_sentence(ErrorKind.TIMEOUT, "en")
    assert CityApiError(ErrorKind.TIMEOUT, "x").unavailable
    assert not CityApiError(ErrorKind.REFUSED, "x").unavailable


# The sentences as PLAIN_SENTENCES held them in each language, before the catalogues did.
_NOT_ANSWERING: dict[str, str] = {
    "fr": "Le service de la Ville ne répond pas. Réessayez plus tard ou allez au guichet.",
    "nl": "De dienst van de Stad antwoordt niet. Probeer later opnieuw of ga naar het loket.",
    "en": "The city's service is not answering. Please try again later or go to the counter.",
    "de": "Der Dienst der Stadt antwortet nicht. Versuchen Sie es später oder gehen Sie zum "
    "Schalter.",
}

SAID_BEFORE: dict[ErrorKind, dict[str, str]] = {
    ErrorKind.UNREACHABLE: _NOT_ANSWERING,
    ErrorKind.TIMEOUT: _NOT_ANSWERING,
    ErrorKind.SERVER_ERROR: _NOT_ANSWERING,
    ErrorKind.BAD_RESPONSE: {
        "fr": "Le service de la Ville a un problème. Réessayez plus tard ou allez au guichet.",
        "nl": "De dienst van de Stad heeft een probleem. Probeer later opnieuw of ga naar het "
        "loket.",
        "en": "The city's service has a problem. Please try again later or go to the counter.",
        "de": "Der Dienst der Stadt hat ein Problem. Versuchen Sie es später oder gehen Sie zum "
        "Schalter.",
    },
    ErrorKind.UNAUTHORISED: {
        "fr": "Cette borne n'est pas reliée au service de la Ville. Allez au guichet, s'il vous "
        "plaît.",
        "nl": "Deze zuil is niet verbonden met de dienst van de Stad. Ga naar het loket, "
        "alstublieft.",
        "en": "This terminal is not connected to the city's service. Please go to the counter.",
        "de": "Dieses Terminal ist nicht mit dem Dienst der Stadt verbunden. Bitte gehen Sie "
        "zum Schalter.",
    },
    ErrorKind.REFUSED: {
        "fr": "La Ville ne peut pas faire cette demande ici. Allez au guichet, s'il vous plaît.",
        "nl": "De Stad kan deze aanvraag hier niet uitvoeren. Ga naar het loket, alstublieft.",
        "en": "The city cannot handle this request here. Please go to the counter.",
        "de": "Die Stadt kann diesen Antrag hier nicht bearbeiten. Bitte gehen Sie zum Schalter.",
    },
}


@pytest.mark.parametrize("language", list(_NOT_ANSWERING))
@pytest.mark.parametrize("kind", list(ErrorKind))
def test_the_plain_sentences_are_the_same_words_from_the_catalogues(
    kind: ErrorKind, language: str
) -> None:
    assert plain_sentence(kind, language) == SAID_BEFORE[kind][language]


def test_token_file_is_private_and_replaced_whole(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "state" / "token")
    assert tokens.read() is None
    tokens.write("first-token")
    tokens.write("second-token")
    assert tokens.read() == "second-token"
    assert stat.S_IMODE(tokens.path.stat().st_mode) == 0o600
    assert [p.name for p in tokens.path.parent.iterdir()] == ["token"]
    assert "second-token" not in repr(tokens)


def test_catalogue_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    cache = CatalogueCache(tmp_path / "catalogue.json")
    assert cache.load() is None
    moment = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    catalogue = published_catalogue().catalogue
    cache.save(catalogue, '"v1"', moment)
    loaded = cache.load()
    assert loaded is not None
    assert (loaded.catalogue, loaded.etag, loaded.fetched_at) == (catalogue, '"v1"', moment)
    cache.path.write_text('{"etag": 1, "catalogue": [')
    assert cache.load() is None


def test_the_kiosk_runtime_never_imports_the_reference_server() -> None:
    probe = (
        "import sys, kiosk.cityclient, kiosk.commands.cityapi\n"
        "bad = [m for m in ('fastapi', 'uvicorn', 'fpdf', 'starlette', 'cityserver')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert found.stdout.strip() == ""
