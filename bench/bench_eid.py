"""Full eID read through real pcscd + vpcd + the emulator, against a bare pyscard loop.

Our read (recognise + every file the kiosk needs + card data) is timed side by side with a
loop of raw SCardTransmit calls sending exactly the APDUs our read sent, on the same card,
alternating runs so both see the same machine noise. Also counts APDUs against the minimum
the file sizes allow: one SELECT per file plus ceil(size / 256) READ BINARYs, as if every
file's size were known in advance.

Needs root (it starts pcscd in a private network namespace) unless a pcscd already lists
the vpcd readers.
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from pathlib import Path

from smartcard import scard

from devices.eid.card import BelpicCard
from devices.eid.emulator import BelpicApplet, build_card, demo_profile, shared_test_pki
from devices.eid.emulator.vpcd import VirtualCard
from devices.eid.pcsc import PcscContext, PcscTransport
from devices.eid.reader import read_files
from tests.harness.pcscd import VPCD_PORTS, VPCD_READERS, card_present, start_pcscd

ROUNDS = 60
READER = VPCD_READERS[0]


class RecordingTransport(PcscTransport):
    """Remembers every APDU that went over the wire (GET RESPONSE and 6Cxx re-issues too)."""

    def __init__(self, context: PcscContext, reader: str) -> None:
        super().__init__(context, reader)
        self.wire: list[bytes] = []

    def raw_transmit(self, apdu: bytes | bytearray) -> bytes:
        self.wire.append(apdu)
        return super().raw_transmit(apdu)


def _ours(context: PcscContext) -> float:
    started = time.perf_counter()
    card = BelpicCard(context.connect(READER))
    card.recognise()
    read_files(card).zero()
    card.transport.close()
    return time.perf_counter() - started


def _bare(context: PcscContext, apdus: list[list[int]]) -> float:
    started = time.perf_counter()
    result, handle, protocol = scard.SCardConnect(
        context.handle,
        READER,
        scard.SCARD_SHARE_SHARED,
        scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
    )
    assert result == scard.SCARD_S_SUCCESS
    for apdu in apdus:
        result, _response = scard.SCardTransmit(handle, protocol, apdu)
        assert result == scard.SCARD_S_SUCCESS
    scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)
    return time.perf_counter() - started


def _minimum_apdus(sizes: list[int]) -> int:
    # SELECT applet + GET CARD DATA, one SELECT to learn 503D is absent, then per file one
    # SELECT and the reads its size needs. Certificates count at their DER size, since the
    # zero padding after it needs no reading.
    return 3 + sum(1 + max(1, math.ceil(size / 256)) for size in sizes)


def _bench_applet(applet: str, pcscd_workdir: Path) -> dict[str, object]:
    content = build_card(demo_profile(), shared_test_pki(), applet)  # type: ignore[arg-type]
    emulated = BelpicApplet(content)
    virtual = VirtualCard(emulated, port=VPCD_PORTS[READER], connect=_connector)
    virtual.insert()
    deadline = time.monotonic() + 10
    while not card_present(READER) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with PcscContext() as context:
            recorder = RecordingTransport(context, READER)
            card = BelpicCard(recorder)
            card.recognise()
            files = read_files(card)
            sizes = [len(b) for b in files.buffers() if b is not files.card_data]
            files.zero()
            recorder.close()
            apdus = [list(a) for a in recorder.wire]
            ours, bare = [], []
            for _ in range(ROUNDS):
                ours.append(_ours(context))
                bare.append(_bare(context, apdus))
    finally:
        virtual.close()
    ours_ms, bare_ms = statistics.median(ours) * 1000, statistics.median(bare) * 1000
    extra_card_data = 1 if applet == "1.8" else 0  # the extended GET CARD DATA (PIN tries)
    return {
        "applet": applet,
        "apdus_ours": len(apdus),
        "apdus_minimum": _minimum_apdus(sizes) + extra_card_data,
        "ms_ours_median": round(ours_ms, 3),
        "ms_bare_pyscard_median": round(bare_ms, 3),
        "ratio": round(ours_ms / bare_ms, 3),
    }


_pcscd = None


def _connector():  # type: ignore[no-untyped-def]
    assert _pcscd is not None
    return _pcscd.connect_emulator(READER)


def main() -> dict[str, object]:
    global _pcscd
    with tempfile.TemporaryDirectory(prefix="bench-eid-") as workdir:
        _pcscd = start_pcscd(Path(workdir))
        try:
            results = [_bench_applet(applet, Path(workdir)) for applet in ("1.7", "1.8")]
        finally:
            _pcscd.stop()
    return {"rounds": ROUNDS, "cards": results, "target_ratio": 1.15}
