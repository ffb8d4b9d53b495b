"""Specimens as the kiosk gets them, from the reference server over real HTTP on 127.0.0.1: the
client fetches a page (size limit, PNG check, ETag revalidation) and the runtime's fetcher
fills its bounded cache, giving up at once when the service is down."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests

from cityserver.catalogue import BY_ID
from kiosk.cityclient import CityApiClient, CityApiError, ErrorKind
from kiosk.cityclient.client import MAX_SPECIMEN_BYTES, PNG_SIGNATURE
from kiosk.config import CityApiSettings
from kiosk.wiring.specimens import SpecimenCache, fetch_specimens
from tests.harness.cityserver import CityServer, enrol, start_cityserver
from tests.harness.http import serve_http

pytestmark = pytest.mark.integration

FAST = {"connect_timeout": 0.5, "read_timeout": 2.0, "retries": 0, "backoff_factor": 0.05}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    running = start_cityserver(tmp_path_factory.mktemp("cityapi-specimen") / "data")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(server: CityServer) -> str:
    return enrol(server, "kiosk-specimen-02")


@pytest.fixture
def make_client(
    server: CityServer, token: str, tmp_path: Path
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


def count_requests(server: CityServer) -> None:
    """A fault rule that changes nothing but counts the specimen requests it sees."""
    server.set_faults(
        {"kind": "latency", "seconds": 0, "count": 1000, "path_prefix": "/v1/catalogue/"}
    )


def requests_seen(server: CityServer) -> int:
    return 1000 - int(requests.get(f"{server.url}/_faults", timeout=5).json()[0]["count"])


# -- the client --------------------------------------------------------------------------------


def test_the_client_fetches_then_revalidates_with_its_etag(
    server: CityServer, make_client: Callable[..., CityApiClient]
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
    server: CityServer, make_client: Callable[..., CityApiClient]
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
    server: CityServer, make_client: Callable[..., CityApiClient]
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
