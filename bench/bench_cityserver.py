"""How many heartbeats and document requests per second the reference server sustains on one core.

The server (`cityserver serve`) runs in its own process pinned to one CPU; the load comes
from another process pinned to another CPU, over loopback, with keep-alive connections. The
baseline, measured in the same run under the same load, is a bare Starlette endpoint on
uvicorn that parses a JSON body and answers a small JSON: the ratio shows what the city API's
own work (validation, token check, SQLite write) costs. Every phase is bounded in time.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

SERVER_CPU = 0
LOAD_CPU = 1
CONNECTIONS = 16
HEARTBEAT_SECONDS = 4.0
DOCUMENT_SECONDS = 4.0
MAX_REQUESTS = 200_000

_BASELINE_APP = """
import json, socket, sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def beat(request):
    body = json.loads(await request.body())
    return Response(json.dumps({"received": body["terminal_id"], "commands": []}),
                    media_type="application/json")

app = Starlette(routes=[Route("/v1/terminals/me/heartbeat", beat, methods=["POST"])])
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.bind(("127.0.0.1", 0))
sock.listen(512)
print(f"cityserver: serving http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
"""


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


def _start(command: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: _pin(SERVER_CPU),
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline().decode()
        if line.startswith("cityserver: serving "):
            return process, line.split()[-1]
        if not line and process.poll() is not None:
            break
    process.kill()
    raise RuntimeError("server did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# -- the load generator (its own process) -----------------------------------------------------


async def _one_connection(
    host: str, port: int, requests: list[bytes], stop_at: float, counts: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    index = 0
    try:
        while time.monotonic() < stop_at and sum(counts) < MAX_REQUESTS:
            writer.write(requests[index % len(requests)])
            index += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            counts[0 if status < 400 else 1] += 1
    finally:
        writer.close()


def _load(host: str, port: int, requests: list[list[bytes]], seconds: float, queue: Any) -> None:
    _pin(LOAD_CPU)

    async def run() -> tuple[int, int, float]:
        counts = [0, 0]
        start = time.monotonic()
        stop_at = start + seconds
        await asyncio.gather(
            *(_one_connection(host, port, reqs, stop_at, counts) for reqs in requests)
        )
        return counts[0], counts[1], time.monotonic() - start

    queue.put(asyncio.run(run()))


def _measure(url: str, requests: list[list[bytes]], seconds: float) -> dict[str, float]:
    host, port = url.removeprefix("http://").split(":")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    worker = context.Process(target=_load, args=(host, int(port), requests, seconds, queue))
    worker.start()
    ok, failed, elapsed = queue.get(timeout=seconds + 60)
    worker.join(timeout=30)
    return {"per_s": round(ok / elapsed, 1), "ok": ok, "failed": failed}


def _request(method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# -- the run ----------------------------------------------------------------------------------


def _prepare(url: str, folder: Path) -> tuple[str, str]:
    """Enrol a terminal and authenticate the demo card; returns (token, citizen token)."""
    from devices.eid.emulator import build_card, demo_profile, shared_test_pki
    from kiosk.cityclient import CityApiClient
    from kiosk.config import CityApiSettings
    from tests.harness.cityserver import insert_card

    settings = CityApiSettings(token_file=folder / "token", catalogue_cache=folder / "c.json")
    with CityApiClient(settings, url) as client:
        client.enrol("bench-enrolment-code", "bench-terminal")
        card = insert_card(build_card(demo_profile(), shared_test_pki(), "1.8"))
        citizen = client.authenticate_citizen(
            card.files, card.sign, card.citizen_ca, terminal_id="bench-terminal"
        )
        token = (folder / "token").read_text().strip()
        return token, citizen.citizen_token


def _heartbeat_requests(token: str) -> list[list[bytes]]:
    body = json.dumps(
        {
            "terminal_id": "bench-terminal",
            "sent_at": "2026-01-01T10:00:00Z",
            "software_version": "0.1.0",
            "uptime_s": 3600,
            "devices": {"eid_reader": {"state": "ok"}, "printer": {"state": "ok"}},
            "counters": {"sessions": 12, "documents": 9},
        }
    ).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    one = _request("POST", "/v1/terminals/me/heartbeat", headers, body)
    return [[one] for _ in range(CONNECTIONS)]


def _document_requests(token: str, citizen: str) -> list[list[bytes]]:
    body = json.dumps({"document_type": "residence", "language": "fr"}).encode()
    per_connection = []
    for _ in range(CONNECTIONS):
        reqs = []
        for _ in range(400):  # each a new request (its own key): a new PDF every time
            headers = {
                "Authorization": f"Bearer {token}",
                "Citizen-Token": citizen,
                "Idempotency-Key": str(uuid.uuid4()),
                "Content-Type": "application/json",
            }
            reqs.append(_request("POST", "/v1/documents", headers, body))
        per_connection.append(reqs)
    return per_connection


def main() -> dict[str, Any]:
    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    from tests.harness.cityserver import write_test_roots

    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        roots = write_test_roots(folder)
        codes = folder / "enrolment-codes"
        codes.write_text("bench-terminal bench-room bench-enrolment-code\n")
        codes.chmod(0o600)
        baseline, base_url = _start([sys.executable, "-c", _BASELINE_APP])
        try:
            token_stub = _heartbeat_requests("unused")
            base = _measure(base_url, token_stub, HEARTBEAT_SECONDS)
        finally:
            _stop(baseline)
        server, url = _start(
            [
                sys.executable,
                "-m",
                "cityserver",
                "serve",
                "--port",
                "0",
                "--data",
                str(folder / "data"),
                "--trust-roots",
                str(roots),
                "--enrolment-codes",
                str(codes),
            ]
        )
        try:
            token, citizen = _prepare(url, folder)
            beats = _measure(url, _heartbeat_requests(token), HEARTBEAT_SECONDS)
            documents = _measure(url, _document_requests(token, citizen), DOCUMENT_SECONDS)
        finally:
            _stop(server)
    return {
        "server_cpus": 1,
        "connections": CONNECTIONS,
        "baseline_starlette_per_s": base["per_s"],
        "heartbeats_per_s": beats["per_s"],
        "heartbeat_failures": beats["failed"],
        "heartbeats_vs_baseline": round(beats["per_s"] / base["per_s"], 3),
        "documents_per_s": documents["per_s"],
        "document_failures": documents["failed"],
        "documents_vs_baseline": round(documents["per_s"] / base["per_s"], 4),
        "heartbeat_target_met": beats["per_s"] >= 1000,
    }


if __name__ == "__main__":
    print(json.dumps(main()))
