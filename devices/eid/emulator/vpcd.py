"""Plug a BelpicApplet into a real pcscd through the vsmartcard vpcd reader driver.

vpcd listens on 127.0.0.1:35963 (reader "Virtual PCD 00 00"; 35964 is "00 01"). A connected
client *is* the inserted card. Every message either way is a 2-byte big-endian length plus
data. From vpcd, a 1-byte message is a control (00 power off, 01 power on, 02 reset, 04 "send
the ATR"); anything longer is a C-APDU to answer with an R-APDU. vpcd blocks on our answer
with no timeout, so a mute card must eventually hang up or pcscd's reader thread hangs too.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable

from devices.eid.emulator.applet import BelpicApplet, CardMuteError, CardRemovedError

log = logging.getLogger(__name__)

VPCD_PORT = 35963
# pcscd learns of removal only by polling vpcd (every 0.4 s). A card re-inserted sooner is
# accepted by the next poll as if it had never left, and pcscd keeps the dead session.
MIN_ABSENCE_S = 1.0
_hang_ups: dict[int, float] = {}  # port -> monotonic time a card last left it
_POWER_OFF, _POWER_ON, _RESET, _ATR = 0, 1, 2, 4


class _Closed(Exception):
    """The socket is gone (pcscd stopped, or we hung up)."""


def _loopback(host: str) -> str:
    try:
        address = ipaddress.ip_address(socket.gethostbyname(host))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot resolve vpcd host {host!r}") from exc
    if not address.is_loopback:
        raise ValueError("the emulated card only talks to a vpcd on this machine (loopback)")
    return str(address)


class VirtualCard:
    """A BELPIC card in a vpcd slot, served from a daemon thread.

    `insert()` connects (pcscd then sees a card), `remove()` hangs up (card absent),
    `close()` is a final remove. If pcscd goes away while the card is in, the thread retries
    at most `reconnect_attempts` times within `reconnect_window_s`, then gives up quietly.
    """

    def __init__(
        self,
        applet: BelpicApplet,
        host: str = "127.0.0.1",
        port: int = VPCD_PORT,
        *,
        reconnect_attempts: int = 50,
        reconnect_window_s: float = 10.0,
        mute_hold_s: float = 2.0,
        apdu_delay_s: float = 0.0,
        connect: Callable[[], socket.socket] | None = None,
        min_absence_s: float = MIN_ABSENCE_S,
    ) -> None:
        self.applet = applet
        # Callers that watch pcscd see the slot empty themselves may pass 0.
        self.min_absence_s = min_absence_s
        self.host = _loopback(host)
        # Tests whose pcscd lives in a private network namespace pass a factory that opens
        # the TCP connection inside it; otherwise a plain loopback connection.
        self._open = connect or (
            lambda: socket.create_connection((self.host, self.port), timeout=2.0)
        )
        self.port = port
        self.reconnect_attempts = reconnect_attempts
        self.reconnect_window_s = reconnect_window_s
        self.mute_hold_s = mute_hold_s  # how long a mute card keeps pcscd waiting, then hangs up
        self.apdu_delay_s = apdu_delay_s  # simulated card processing time per APDU
        self.last_error: str | None = None
        self._sock: socket.socket | None = None
        self._sock_lock = threading.Lock()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd and serve until removed. Raises TimeoutError if vpcd never answers."""
        if self._thread is not None and self._thread.is_alive():
            return
        if not self.applet.present:
            self.applet.reinsert()
        absent_for = time.monotonic() - _hang_ups.get(self.port, 0.0)
        if absent_for < self.min_absence_s:
            time.sleep(self.min_absence_s - absent_for)
        self._stop.clear()
        self._connected.clear()
        self._thread = threading.Thread(target=self._run, name="vpcd-card", daemon=True)
        self._thread.start()
        if not self._connected.wait(timeout):
            self.remove()
            raise TimeoutError(
                f"vpcd on port {self.port} did not accept the card: {self.last_error}"
            )

    def remove(self, timeout: float = 5.0) -> None:
        """Take the card out: hang up, pcscd reports it absent."""
        self._stop.set()
        self._hang_up()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None

    def close(self) -> None:
        self.remove()

    def __enter__(self) -> VirtualCard:
        self.insert()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the serving thread --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                sock = self._connect()
                if sock is None:
                    log.warning("vpcd card: giving up on port %d (%s)", self.port, self.last_error)
                    return
                if not self._serve(sock):
                    return  # pulled out or gone mute: stay out until insert()
        except Exception:  # a daemon thread must not die with a traceback on stderr
            log.exception("vpcd card thread failed")
        finally:
            self._connected.clear()
            self._hang_up()

    def _connect(self) -> socket.socket | None:
        deadline = time.monotonic() + self.reconnect_window_s
        for _attempt in range(self.reconnect_attempts):
            if self._stop.is_set():
                return None
            try:
                sock = self._open()
            except OSError as exc:
                self.last_error = exc.strerror or type(exc).__name__
                if time.monotonic() >= deadline:
                    return None
                self._stop.wait(0.2)
                continue
            sock.settimeout(None)
            # One APDU per round trip: without these every reply waits for a delayed ACK.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._sock_lock:
                self._sock = sock
            self.last_error = None
            self._connected.set()
            log.info("vpcd card inserted on port %d", self.port)
            return sock
        self.last_error = self.last_error or "no attempts left"
        return None

    def _serve(self, sock: socket.socket) -> bool:
        """Answer vpcd until the connection ends; True when it is worth reconnecting."""
        try:
            while not self._stop.is_set():
                message = self._receive(sock)
                if len(message) == 1:
                    self._control(sock, message[0])
                    continue
                if not self._answer(sock, message):
                    return False
        except _Closed:
            if not self._stop.is_set():
                log.info("vpcd closed the connection on port %d", self.port)
        finally:
            self._connected.clear()
            self._hang_up()
        return not self._stop.is_set()

    def _control(self, sock: socket.socket, code: int) -> None:
        if code == _POWER_OFF:
            self.applet.power_off()
        elif code == _POWER_ON:
            self.applet.power_on()
        elif code == _RESET:
            self.applet.reset()
        elif code == _ATR:
            self._send(sock, self.applet.atr())
        else:
            log.debug("vpcd: unknown control byte %02X ignored", code)

    def _answer(self, sock: socket.socket, apdu: bytes) -> bool:
        """Send the R-APDU; False when the card must leave the reader instead."""
        if self.apdu_delay_s:
            time.sleep(self.apdu_delay_s)
        try:
            response = self.applet.process(apdu)
        except CardRemovedError:
            return False
        except CardMuteError:
            self._stop.wait(self.mute_hold_s)
            return False
        self._send(sock, response)
        return self.applet.present

    # -- framing -------------------------------------------------------------------------------

    def _receive(self, sock: socket.socket) -> bytes:
        (length,) = struct.unpack(">H", self._exactly(sock, 2))
        return self._exactly(sock, length)

    def _exactly(self, sock: socket.socket, size: int) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            # Quick-ACK mode is cleared by the kernel after each ACK, so re-arm it every recv.
            with contextlib.suppress(OSError, AttributeError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            try:
                chunk = sock.recv(size - len(chunks))
            except OSError as exc:
                raise _Closed from exc
            if not chunk:
                raise _Closed
            chunks += chunk
        return bytes(chunks)

    def _send(self, sock: socket.socket, data: bytes) -> None:
        try:
            sock.sendall(struct.pack(">H", len(data)) + data)
        except OSError as exc:
            raise _Closed from exc

    def _hang_up(self) -> None:
        with self._sock_lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            _hang_ups[self.port] = time.monotonic()
