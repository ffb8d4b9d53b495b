"""The PC/SC backend of the eID reader unit (pyscard, through pcscd): the card connection,
the reader to connect to, and the readers' card states for the monitor.

PC/SC failures become the typed errors of `devices.eid.errors`. On a transient fault (card
reset by another program, a transaction lost) the transport reconnects, as the official
middleware does, and raises `CardWasReset`: the card has lost its selected file, so only
the card layer, which knows what to select again, can retry. A removed card or a vanished
reader is reported at once, since retrying cannot help.

The low-level `smartcard.scard` functions are used rather than pyscard's object API: each
transmit is then one C call, which keeps us within a few percent of a bare loop.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

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
)
from devices.eid.monitor import FollowReader, ReaderCallback, ReaderMonitor, ReaderView
from devices.eid.transport import exchange_t0

log = logging.getLogger(__name__)

# Bounded like the middleware: a few reconnects, each after a short pause.
MAX_RECONNECTS = 3
RECONNECT_PAUSE = 0.1


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
_MUTE = {
    scard.SCARD_W_UNRESPONSIVE_CARD,
    scard.SCARD_E_PROTO_MISMATCH,
    scard.SCARD_W_UNSUPPORTED_CARD,
}


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
    """One PC/SC context: listing readers and opening cards."""

    def __init__(self) -> None:
        result, self.handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != scard.SCARD_S_SUCCESS:
            reason = scard.SCardGetErrorMessage(result)
            raise NoReader(f"cannot reach the PC/SC service (is pcscd running?): {reason}")

    def readers(self) -> list[str]:
        result, names = scard.SCardListReaders(self.handle, [])
        if result in (scard.SCARD_E_NO_READERS_AVAILABLE, scard.SCARD_E_READER_UNAVAILABLE):
            return []
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
    pcscd restarts: a context lost with the service is made again on the next call.
    """

    def __init__(self) -> None:
        self._context: int | None = None
        self._states: dict[str, int] = {}  # reader -> last event state
        self._atrs: dict[str, bytes] = {}
        self._pnp_state = scard.SCARD_STATE_UNAWARE
        self._cancelled = threading.Event()

    def wait(self, timeout: float) -> ReaderView | None:
        if self._cancelled.is_set():
            return None
        context = self._context if self._context is not None else self._establish()
        if context is None:
            self._cancelled.wait(timeout)  # pcscd not (yet) there
            return None
        result, names = scard.SCardListReaders(context, [])
        names = list(names) if result == scard.SCARD_S_SUCCESS else []
        for gone in [r for r in self._states if r not in names]:
            del self._states[gone]
        query = [(r, self._states.setdefault(r, scard.SCARD_STATE_UNAWARE)) for r in names]
        query.append((PNP_NOTIFICATION, self._pnp_state))
        result, changed = scard.SCardGetStatusChange(context, int(timeout * 1000), query)
        if result == scard.SCARD_S_SUCCESS:
            for name, state, atr in changed:
                if name == PNP_NOTIFICATION:
                    self._pnp_state = state & ~scard.SCARD_STATE_CHANGED
                elif name in self._states:
                    self._states[name] = state & ~scard.SCARD_STATE_CHANGED
                    self._atrs[name] = bytes(atr)
        elif result == scard.SCARD_E_CANCELLED:
            return None
        elif result in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED):
            self._release()  # pcscd went away: a new context on the next call
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
    (eID worker) thread, and made again after a failure (pcscd restarted).
    """

    def __init__(self, wanted: str) -> None:
        self.wanted = wanted
        self._context: PcscContext | None = None

    def connect(self) -> PcscTransport:
        context = self._context or PcscContext()
        self._context = context
        try:
            return context.connect(context.pick_reader(self.wanted))
        except Exception:
            self.close()
            raise

    def reader_present(self) -> bool:
        try:
            context = self._context or PcscContext()
            self._context = context
            context.pick_reader(self.wanted)
            return True
        except Exception:
            self.close()
            return False

    def monitor(self, callback: ReaderCallback, poll: float = 0.5) -> ReaderMonitor:
        return ReaderMonitor(PcscReaderStates(), FollowReader(self.wanted, callback), poll)

    def close(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            try:
                context.close()
            except Exception as exc:
                log.debug("closing the PC/SC context: %s", type(exc).__name__)
