"""Run the reference server with uvicorn on a socket we bind ourselves (`cityserver serve`).

Binding first lets `--port 0` pick a free port and report it on stdout before serving, which
is how tests and scripts learn where the server is without racing for a port.
"""

from __future__ import annotations

import socket
import sys
import threading
from typing import TextIO

import uvicorn

from cityserver.app import create_app
from cityserver.config import ServerConfig
from cityserver.register import PopulationRegister
from cityserver.store import Store

READY_PREFIX = "cityserver: serving "


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and without it every answer (head and body written apart) waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def prepare(config: ServerConfig) -> Store:
    """Open the store and take the enrolment codes given at start (their hashes only).

    No code is made up here: city IT makes one for a terminal id (`cityserver enrolment-code`
    on this host, or POST /v1/admin/enrolment-codes), so a code printed to whoever reads this
    server's output could never enrol a terminal nobody named."""
    store = Store(config.database)
    now = config.clock()
    store.purge_expired_answers(now)
    for line in config.enrolment_codes:
        store.add_enrolment_code(
            line.code, line.terminal_id, line.location, now, now + config.enrolment_code_ttl_s
        )
    PopulationRegister(store).record_all(config.register, now)
    return store


def serve(
    config: ServerConfig,
    host: str,
    port: int,
    out: TextIO = sys.stdout,
    *,
    until_stdin_closes: bool = False,
) -> None:
    """Serve until SIGINT or SIGTERM, or, with `until_stdin_closes`, until stdin ends: the
    parent holding its other end has closed it or is gone, even killed without a word."""
    store = prepare(config)
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    app = create_app(config, store)
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2
        )
    )
    if until_stdin_closes:
        threading.Thread(
            target=_stop_at_end_of_stdin, args=(server,), daemon=True, name="stdin-watch"
        ).start()
    print(f"{READY_PREFIX}http://{shown}:{actual}", file=out, flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        store.close()


def _stop_at_end_of_stdin(server: uvicorn.Server) -> None:
    while sys.stdin.buffer.read(4096):
        pass
    server.should_exit = True
