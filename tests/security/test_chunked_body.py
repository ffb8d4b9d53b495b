"""The server refuses request bodies over its limit (256 kB) before parsing them. An attacker
leaves Content-Length out and sends the body chunked (Transfer-Encoding: chunked): the size
must be counted as the bytes come, and the answer be 413 once over, whatever the headers say.
Real requests over a socket, as a client that lies would send them."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator

import pytest

from tests.harness.cityserver import CityServer, start_cityserver

pytestmark = pytest.mark.integration

LIMIT = 256 * 1024  # cityserver.config.ServerConfig.max_body_bytes
CHUNK = 16 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityServer]:
    running = start_cityserver(tmp_path_factory.mktemp("chunked") / "data")
    yield running
    running.stop()


def status_line(sock: socket.socket, deadline: float) -> bytes:
    answer = b""
    while b"\r\n" not in answer and time.monotonic() < deadline:
        try:
            got = sock.recv(4096)
        except (ConnectionResetError, TimeoutError):
            break
        if not got:
            break
        answer += got
    return answer.split(b"\r\n", 1)[0]


def send_chunked(server: CityServer, path: str, total: int, *, last_chunk: bool = True) -> bytes:
    """POST `total` bytes of a JSON string in chunks; the answer's status line.

    Reads as soon as the server answers (it may stop reading and close once it has refused),
    so the refusal is seen even when the rest of the body is never taken."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    deadline = time.monotonic() + 20
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        payload = b'{"enrolment_code": "' + b"A" * (total - 60) + b'", "terminal_id": "k-1"}'
        try:
            for offset in range(0, len(payload), CHUNK):
                piece = payload[offset : offset + CHUNK]
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    return status_line(sock, deadline)
            if last_chunk:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return status_line(sock, deadline)


def test_a_chunked_body_over_the_limit_is_refused(server: CityServer) -> None:
    line = send_chunked(server, "/v1/terminals/enrol", 600 * 1024)
    assert line.startswith(b"HTTP/1.1 413"), line


def test_a_chunked_body_over_the_limit_is_refused_before_it_ends(server: CityServer) -> None:
    # The body never ends: the refusal cannot wait for its end (nor parse it).
    line = send_chunked(server, "/v1/citizen/sessions", LIMIT + 4 * CHUNK, last_chunk=False)
    assert line.startswith(b"HTTP/1.1 413"), line


def test_a_small_chunked_body_is_still_served(server: CityServer) -> None:
    line = send_chunked(server, "/v1/terminals/enrol", 2 * 1024)
    # Parsed and judged on its merits: too long a code for the contract, not too large a body.
    assert line.startswith(b"HTTP/1.1 422"), line
