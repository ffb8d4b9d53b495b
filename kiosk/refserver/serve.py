"""Run the reference server with uvicorn on a socket we bind ourselves.

Binding first lets `--port 0` pick a free port and report it on stdout before serving, which
is how tests and scripts learn where the server is without racing for a port.
"""

from __future__ import annotations

import secrets
import socket
import sys
import threading
import time
from typing import TextIO

import uvicorn

from kiosk.refserver.app import create_app
from kiosk.refserver.config import ServerConfig
from kiosk.refserver.store import Store

READY_PREFIX = "cityapi: serving "


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


def prepare(config: ServerConfig, out: TextIO) -> Store:
    """Open the store and make sure a new terminal can enrol: codes given, or one made up."""
    store = Store(config.database)
    now = config.clock()
    for code in config.enrolment_codes:
        store.add_enrolment_code(code, now)
    if store.unused_enrolment_codes() == 0:
        code = secrets.token_urlsafe(12)
        store.add_enrolment_code(code, now)
        print(f"cityapi: enrolment code for a new terminal: {code}", file=out, flush=True)
    return store


def serve(config: ServerConfig, host: str, port: int, out: TextIO = sys.stdout) -> None:
    store = prepare(config, out)
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    app = create_app(config, store)
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2
        )
    )
    print(f"{READY_PREFIX}http://{shown}:{actual}", file=out, flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        store.close()


class EmbeddedServer:
    """The reference server in a daemon thread of this process (`kiosk demo`, tests).

    Listens on a free loopback port; `url` is where; `stop()` ends it within a few seconds.
    """

    def __init__(self, config: ServerConfig, out: TextIO = sys.stderr) -> None:
        self._store = prepare(config, out)
        self._socket = bind("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._server = uvicorn.Server(
            uvicorn.Config(
                create_app(config, self._store),
                log_level="warning",
                access_log=False,
                lifespan="off",
            )
        )
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            daemon=True,
            name="cityapi-embedded",
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                raise RuntimeError("the embedded city API did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()
        self._store.close()
