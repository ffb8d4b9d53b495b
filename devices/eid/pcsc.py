"""The PC/SC backend of the eID reader unit (pyscard, through pcscd): the card connection,
the reader to connect to, and the readers' card states for the monitor.

PC/SC failures become the typed errors of `devices.eid.errors`. On a transient fault (card
reset by another program, a transaction lost) the transport reconnects, as the official
middleware does, and raises `CardWasReset`: the card has lost its selected file, so only
the card layer, which knows what to select again, can retry. A removed card or a vanished
reader is reported at once, since retrying cannot help.

A PC/SC context dies with the pcscd that made it: after pcscd stops or restarts, every call
through it fails (pcsc-lite answers NO_SERVICE on the dead context's socket) and stays failing.
Its calls then raise `ServiceLost`, and the reader unit (`PcscReader`) and the monitor's
backend (`PcscReaderStates`) make a new context: a few times, with growing pauses, so a kiosk
whose pcscd is down waits for it without spinning, and the first card after a restart is read.

The low-level `smartcard.scard` functions are used rather than pyscard's object API: each
transmit is then one C call, which keeps us within a few percent of a bare loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from smartcard import scard

from devices.eid.errors import (
    CardCommunicationError,
    CardRemoved,
    CardWasReset,
    EidError,
    NoCard,
    NoReader,
    ReaderBusy,
    ReaderGone,
    ServiceLost,
)
from devices.eid.monitor import FollowReader, ReaderCallback, ReaderMonitor, ReaderView
from devices.eid.transport import exchange_t0

log = logging.getLogger(__name__)

_T = TypeVar("_T")

# Bounded like the middleware: a few reconnects, each after a short pause.
MAX_RECONNECTS = 3
RECONNECT_PAUSE = 0.1

# A dead context is made again at once (pcscd is usually back: a restart takes milliseconds),
# then after longer pauses while pcscd may still be starting: under 1.5 s in all, well within
# the reading screen's time.
CONTEXT_RETRY_PAUSES = (0.0, 0.0, 0.3, 1.0)
# The monitor, while pcscd is away, tries again after a pause that doubles up to the last: a
# pcscd that comes back is seen within about a second, and one that stays away costs nothing.
SERVICE_RETRY_FIRST = 0.1
SERVICE_RETRY_MAX = 1.0


# PC/SC result codes grouped by what the kiosk does about them.
_REMOVED = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_UNPOWERED_CARD}
_TRANSIENT = {scard.SCARD_W_RESET_CARD, scard.SCARD_E_NOT_TRANSACTED, scard.SCARD_E_COMM_DATA_LOST}
_READER_GONE = {
    scard.SCARD_E_READER_UNAVAILABLE,
    scard.SCARD_E_UNKNOWN_READER,
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_E_NO_READERS_AVAILABLE,
}
# The context itself is dead: pcscd stopped or restarted since it was made. A call blocked in
# pcscd when it died gets F_COMM_ERROR; any later call through the context, NO_SERVICE.
_SERVICE_LOST = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_F_COMM_ERROR,
}
_MUTE = {
    scard.SCARD_W_UNRESPONSIVE_CARD,
    scard.SCARD_E_PROTO_MISMATCH,
    scard.SCARD_W_UNSUPPORTED_CARD,
}


def service_lost(result: int, during: str) -> ServiceLost:
    reason = scard.SCardGetErrorMessage(result).rstrip(".")
    return ServiceLost(f"the PC/SC service does not answer (is pcscd running?): {during}: {reason}")


def pcsc_error(result: int, during: str) -> EidError:
    """The typed error for a PC/SC result code (never an untyped pyscard exception)."""
    detail = f"{during}: {scard.SCardGetErrorMessage(result).rstrip('.')}"
    if result in _REMOVED:
        return CardRemoved(f"the card was taken out or lost power ({detail})")
    if result in _READER_GONE:
        return ReaderGone(f"the reader or the PC/SC service went away ({detail})")
    if result == scard.SCARD_E_SHARING_VIOLATION:
        return ReaderBusy(f"another program is using the card ({detail})")
    return CardCommunicationError(f"the card did not answer properly ({detail})")


class PcscContext:
    """One PC/SC context: listing readers and opening cards. Raises `ServiceLost` when pcscd
    is not there, or is no longer the one the context was made with (make a new context)."""

    def __init__(self) -> None:
        result, self.handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != scard.SCARD_S_SUCCESS:
            self.handle = None
            raise service_lost(result, "making a PC/SC context")

    def readers(self) -> list[str]:
        result, names = scard.SCardListReaders(self.handle, [])
        if result in (scard.SCARD_E_NO_READERS_AVAILABLE, scard.SCARD_E_READER_UNAVAILABLE):
            return []
        if result in _SERVICE_LOST:
            raise service_lost(result, "listing readers")
        if result != scard.SCARD_S_SUCCESS:
            raise NoReader(f"cannot list readers: {scard.SCardGetErrorMessage(result)}")
        return list(names)

    def pick_reader(self, wanted: str = "") -> str:
        """The reader named (exactly, or by a unique part); else the first with a card."""
        names = self.readers()
        if not names:
            raise NoReader("no smart-card reader is connected")
        if wanted:
            exact = [n for n in names if n == wanted]
            partial = [n for n in names if wanted.lower() in n.lower()]
            matches = exact or partial
            if len(matches) != 1:
                raise NoReader(f"no single reader matches {wanted!r} (readers: {', '.join(names)})")
            return matches[0]
        for name in names:
            if self.card_present(name):
                return name
        return names[0]

    def card_present(self, reader: str) -> bool:
        result, states = scard.SCardGetStatusChange(
            self.handle, 0, [(reader, scard.SCARD_STATE_UNAWARE)]
        )
        if result in _SERVICE_LOST:
            raise service_lost(result, "looking for a card")
        if result != scard.SCARD_S_SUCCESS:
            return False
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)

    def wait_for_card(self, reader: str, timeout: float) -> bool:
        """Block up to `timeout` seconds for a card in `reader`."""
        deadline = time.monotonic() + timeout
        state = scard.SCARD_STATE_UNAWARE
        while True:
            remaining = deadline - time.monotonic()
            millis = max(0, int(remaining * 1000))
            result, states = scard.SCardGetStatusChange(self.handle, millis, [(reader, state)])
            if result == scard.SCARD_E_TIMEOUT:
                return False
            if result in _SERVICE_LOST:
                raise service_lost(result, "waiting for a card")
            if result != scard.SCARD_S_SUCCESS:
                raise pcsc_error(result, "waiting for a card")
            state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            if state & scard.SCARD_STATE_PRESENT and not state & scard.SCARD_STATE_MUTE:
                return True
            if remaining <= 0:
                return False

    def connect(self, reader: str) -> PcscTransport:
        return PcscTransport(self, reader)

    def close(self) -> None:
        if self.handle is not None:
            scard.SCardReleaseContext(self.handle)
            self.handle = None

    def __enter__(self) -> PcscContext:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class PcscTransport:
    """A connection to the card in one reader, held exclusively until `close`.

    Exclusive: a verified PIN lives on the card, not in our connection, so while a citizen's
    session holds the card no other PC/SC client on this machine may send it a command (it
    gets a sharing violation), and none can make it sign with the PIN the citizen typed. A
    program already holding the card makes our connect fail with ReaderBusy instead.
    """

    def __init__(self, context: PcscContext, reader: str) -> None:
        self.reader = reader
        self._context = context
        self._card: Any = None
        self._protocol = 0
        self._pci: Any = None
        self._atr: bytes | None = None
        self._connect()

    @property
    def atr(self) -> bytes:
        # Read on demand: a full read never needs it (the applet answers for the card), and
        # SCardStatus is one more round trip to pcscd on every connect.
        if self._atr is None:
            self._read_atr()
        return self._atr or b""

    def _connect(self) -> None:
        result, card, protocol = scard.SCardConnect(
            self._context.handle,
            self.reader,
            scard.SCARD_SHARE_EXCLUSIVE,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        if result in (scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD):
            raise NoCard(f"no card in {self.reader}")
        if result in _SERVICE_LOST:
            raise service_lost(result, f"connecting to {self.reader}")
        if result != scard.SCARD_S_SUCCESS:
            raise pcsc_error(result, f"connecting to {self.reader}")
        self._card, self._protocol = card, protocol

    def _read_atr(self) -> None:
        result, _reader, _state, _protocol, atr = scard.SCardStatus(self._card)
        if result != scard.SCARD_S_SUCCESS:
            raise pcsc_error(result, "reading the ATR")
        self._atr = bytes(atr)

    def _reconnect(self) -> None:
        result, protocol = scard.SCardReconnect(
            self._card,
            scard.SCARD_SHARE_EXCLUSIVE,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            scard.SCARD_RESET_CARD,
        )
        if result != scard.SCARD_S_SUCCESS:
            raise pcsc_error(result, "reconnecting")
        self._protocol = protocol
        self._atr = None

    def raw_transmit(self, apdu: bytes | bytearray) -> bytes:
        """One SCardTransmit, nothing else; PC/SC errors typed."""
        result, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if result != scard.SCARD_S_SUCCESS:
            raise _TransmitFailed(result)
        return bytes(response)

    def transmit(self, apdu: bytes | bytearray) -> tuple[bytes, int]:
        try:
            return exchange_t0(self.raw_transmit, apdu)
        except _TransmitFailed as failed:
            if failed.result not in _TRANSIENT:
                raise pcsc_error(failed.result, "sending a command") from None
            reason = scard.SCardGetErrorMessage(failed.result)
        log.info("card transaction lost (%s); reconnecting", reason)
        for attempt in range(1, MAX_RECONNECTS + 1):
            time.sleep(RECONNECT_PAUSE * attempt)
            try:
                self._reconnect()
            except CardRemoved:
                raise
            except CardCommunicationError:
                if attempt == MAX_RECONNECTS:
                    raise
                continue
            raise CardWasReset(reason)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._card is not None:
            # Leave the card as we found it for the next program; unpowering it costs a re-ATR.
            scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)
            self._card = None


class _TransmitFailed(Exception):
    def __init__(self, result: int) -> None:
        super().__init__(result)
        self.result = result


PNP_NOTIFICATION = "\\\\?PnP?\\Notification"


class PcscReaderStates:
    """The readers pcscd knows and the card in each, for `devices.eid.monitor.ReaderMonitor`.

    `wait` blocks in SCardGetStatusChange (the call pyscard's CardMonitor polls too, here
    with `\\\\?PnP?\\Notification` so reader plug and unplug wake it at once). It survives
    pcscd stopping and restarting: a context lost with the service is given up at once, the
    readers are reported gone (no readers while pcscd is away), and a new context is tried
    after a pause that grows from SERVICE_RETRY_FIRST to SERVICE_RETRY_MAX seconds.
    """

    def __init__(
        self, retry_first: float = SERVICE_RETRY_FIRST, retry_max: float = SERVICE_RETRY_MAX
    ) -> None:
        self._context: int | None = None
        self._states: dict[str, int] = {}  # reader -> last event state
        self._atrs: dict[str, bytes] = {}
        self._pnp_state = scard.SCARD_STATE_UNAWARE
        self._cancelled = threading.Event()
        self._retry_first, self._retry_max = retry_first, retry_max
        self._retry_pause = retry_first

    def wait(self, timeout: float) -> ReaderView | None:
        if self._cancelled.is_set():
            return None
        context = self._context if self._context is not None else self._establish()
        if context is None:
            return self._service_away()  # pcscd not (yet) there
        result, names = scard.SCardListReaders(context, [])
        if result in _SERVICE_LOST:
            return self._service_away()
        names = list(names) if result == scard.SCARD_S_SUCCESS else []
        for gone in [r for r in self._states if r not in names]:
            del self._states[gone]
        query = [(r, self._states.setdefault(r, scard.SCARD_STATE_UNAWARE)) for r in names]
        query.append((PNP_NOTIFICATION, self._pnp_state))
        result, changed = scard.SCardGetStatusChange(context, int(timeout * 1000), query)
        if result == scard.SCARD_S_SUCCESS:
            self._retry_pause = self._retry_first
            for name, state, atr in changed:
                if name == PNP_NOTIFICATION:
                    self._pnp_state = state & ~scard.SCARD_STATE_CHANGED
                elif name in self._states:
                    self._states[name] = state & ~scard.SCARD_STATE_CHANGED
                    self._atrs[name] = bytes(atr)
        elif result == scard.SCARD_E_CANCELLED:
            return None
        elif result in _SERVICE_LOST:
            return self._service_away()
        elif result != scard.SCARD_E_TIMEOUT:
            self._cancelled.wait(timeout)
        return {
            name: self._atrs.get(name, b"") if state & scard.SCARD_STATE_PRESENT else None
            for name, state in self._states.items()
        }

    def cancel(self) -> None:
        self._cancelled.set()
        context = self._context
        if context is not None:
            scard.SCardCancel(context)  # wake a blocked SCardGetStatusChange now

    def close(self) -> None:
        self._release()

    def _service_away(self) -> ReaderView | None:
        """pcscd is gone (or not there yet): no readers; a new context after a pause."""
        if self._context is not None:
            log.warning("the PC/SC service went away; waiting for it to come back")
        self._release()
        self._states.clear()
        self._atrs.clear()
        pause, self._retry_pause = self._retry_pause, min(self._retry_max, self._retry_pause * 2)
        if self._cancelled.wait(pause):
            return None  # stopping: report nothing
        return {}

    def _establish(self) -> int | None:
        result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != scard.SCARD_S_SUCCESS:
            return None
        self._context, self._pnp_state = context, scard.SCARD_STATE_UNAWARE
        return context

    def _release(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            scard.SCardReleaseContext(context)


class PcscReader:
    """The eID reader unit over PC/SC (see `devices.eid.unit.EidReader`).

    The reader connected to is the one configured (`wanted`: a name or a unique part of
    one), else the first with a card. The PC/SC context is made on first use, on the calling
    (eID worker) thread, and kept. When pcscd has stopped or restarted since, the call that
    meets the dead context makes a new one and tries again (`retry_pauses`: the pause before
    each try), so the first card after a restart is read like any other.
    """

    def __init__(self, wanted: str, retry_pauses: Sequence[float] = CONTEXT_RETRY_PAUSES) -> None:
        self.wanted = wanted
        self._retry_pauses = tuple(retry_pauses) or (0.0,)
        self._context: PcscContext | None = None

    def connect(self) -> PcscTransport:
        return self._with_live_context(lambda c: c.connect(c.pick_reader(self.wanted)))

    def reader_present(self) -> bool:
        try:
            self._with_live_context(lambda c: c.pick_reader(self.wanted))
        except Exception:
            return False
        return True

    def monitor(self, callback: ReaderCallback, poll: float = 0.5) -> ReaderMonitor:
        return ReaderMonitor(PcscReaderStates(), FollowReader(self.wanted, callback), poll)

    def close(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            try:
                context.close()
            except Exception as exc:
                log.debug("closing the PC/SC context: %s", type(exc).__name__)

    def _with_live_context(self, use: Callable[[PcscContext], _T]) -> _T:
        """`use(context)`; a context pcscd no longer knows is made again, a bounded number of
        times. Any failure drops the context (the next call starts from a fresh one)."""
        lost: ServiceLost | None = None
        for attempt, pause in enumerate(self._retry_pauses):
            if attempt:
                time.sleep(pause)
            try:
                context = self._context or PcscContext()
                self._context = context
                return use(context)
            except ServiceLost as exc:
                self.close()
                lost = exc
                log.info("PC/SC context lost (try %d): %s", attempt + 1, exc)
            except Exception:
                self.close()
                raise
        assert lost is not None
        raise lost
