"""A receipt printer on loopback TCP: records every byte and answers DLE EOT as told.

It behaves like an Epson network printer on port 9100 would: real-time status queries
(DLE EOT n) are answered as soon as they arrive, wherever they are in the stream. The
behaviour is chosen per test: online, paper near its end, paper out, cover open, silent
(never answers), or a connection reset once part of a receipt has arrived.
"""

from __future__ import annotations

import contextlib
import enum
import select
import socket
import struct
import threading
from collections.abc import Iterator

DLE_EOT = b"\x10\x04"


class Behaviour(enum.Enum):
    ONLINE = "online"
    PAPER_NEAR_END = "paper-near-end"
    PAPER_OUT = "paper-out"
    COVER_OPEN = "cover-open"
    NO_ANSWER = "no-answer"
    RESET_MID_RECEIPT = "reset-mid-receipt"
    PAPER_OUT_AT_END = "paper-out-at-end"  # online before the receipt, out of paper after it


# Replies to DLE EOT 1 (printer), 2 (offline cause), 3 (error cause), 4 (paper sensor).
_ONLINE = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}
REPLIES = {
    Behaviour.ONLINE: _ONLINE,
    Behaviour.RESET_MID_RECEIPT: _ONLINE,
    Behaviour.PAPER_NEAR_END: {**_ONLINE, 4: 0x1E},
    Behaviour.PAPER_OUT: {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x72},
    Behaviour.COVER_OPEN: {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    Behaviour.NO_ANSWER: {},
    Behaviour.PAPER_OUT_AT_END: _ONLINE,  # until the receipt's bytes: see _replies
}
STATUS_QUERIES_BYTES = 9  # the three DLE EOT queries asked before a receipt


class FakeEscposPrinter:
    def __init__(self, behaviour: Behaviour = Behaviour.ONLINE, reset_after: int = 1500) -> None:
        self.behaviour = behaviour
        self.reset_after = reset_after
        self.queries: list[int] = []
        self.connections = 0
        self._received: list[bytearray] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self._threads: list[threading.Thread] = []

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def received(self) -> bytes:
        """Every byte received, all connections in order."""
        with self._lock:
            return b"".join(bytes(chunk) for chunk in self._received)

    def connection_bytes(self, index: int) -> bytes:
        with self._lock:
            return bytes(self._received[index])

    def start(self) -> FakeEscposPrinter:
        thread = threading.Thread(target=self._accept_loop, name="fake-escpos", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._server.close()

    def __enter__(self) -> FakeEscposPrinter:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                buffer = bytearray()
                self._received.append(buffer)
            handler = threading.Thread(target=self._serve, args=(conn, buffer), daemon=True)
            handler.start()
            self._threads.append(handler)

    def _serve(self, conn: socket.socket, buffer: bytearray) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        scanned = 0
        with conn:
            while not self._stop.is_set():
                ready, _, _ = select.select([conn], [], [], 0.1)
                if not ready:
                    continue
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    buffer.extend(chunk)
                scanned = self._answer_queries(conn, buffer, scanned)
                if (
                    self.behaviour is Behaviour.RESET_MID_RECEIPT
                    and len(buffer) >= self.reset_after
                ):
                    # SO_LINGER with a zero timeout makes close() send RST: a cable pulled.
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return

    def _replies(self, at: int) -> dict[int, int]:
        if self.behaviour is Behaviour.PAPER_OUT_AT_END and at >= STATUS_QUERIES_BYTES:
            return REPLIES[Behaviour.PAPER_OUT]  # the roll ran out during the receipt
        return REPLIES[self.behaviour]

    def _answer_queries(self, conn: socket.socket, buffer: bytearray, scanned: int) -> int:
        """Answer each complete DLE EOT n after `scanned`; where to scan from next time."""
        while True:
            at = buffer.find(DLE_EOT, scanned)
            if at < 0:
                return max(scanned, len(buffer) - 1)
            if at + 2 >= len(buffer):
                return at  # the n byte has not arrived yet
            kind = buffer[at + 2]
            scanned = at + 3
            if kind not in (1, 2, 3, 4):
                continue
            self.queries.append(kind)
            reply = self._replies(at).get(kind)
            if reply is not None:
                with contextlib.suppress(OSError):
                    conn.sendall(bytes([reply]))


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, never listening, held for the test."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    try:
        yield holder.getsockname()[1]
    finally:
        holder.close()
