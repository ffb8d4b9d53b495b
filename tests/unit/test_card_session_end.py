"""What the end of a session leaves on the card and in the spool folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.eid.card import BelpicCard
from devices.eid.emulator import BelpicApplet, SimReader
from devices.eid.errors import CardStatusError
from devices.eid.simulated import SimulatedTransport
from devices.printing import SimulatedDocumentPrinter
from kiosk.wiring.eid import CardSession
from kiosk.wiring.printing import Spool, print_certificate
from tests.harness.documents import make_pdf
from tests.harness.eid import card, roots


def test_ending_the_session_logs_the_card_off_so_it_no_longer_signs() -> None:
    reader = SimReader(BelpicApplet(card("1.8")))
    session = CardSession(lambda: SimulatedTransport(reader), roots("1.8"))
    session.read()
    session.verify_pin(bytearray(b"1234"))
    signature, certificate = session.sign(b"challenge one")
    assert signature and certificate
    session.forget()
    # The card stayed in the reader; whoever talks to it next gets no signature.
    other = BelpicCard(SimulatedTransport(reader))
    other.select_applet()
    with pytest.raises(CardStatusError) as refused:
        other.sign_challenge(b"challenge two")
    assert refused.value.sw == 0x6982


def test_a_late_print_job_does_not_bring_a_wiped_session_folder_back(tmp_path: Path) -> None:
    printer = SimulatedDocumentPrinter(tmp_path / "out")
    spool = Spool(printer)
    spool.wiped("s-gone")
    events: list[object] = []
    folder = tmp_path / "tmpfs" / "kiosk-session-s-gone"
    document = bytearray(make_pdf(tmp_path / "doc.pdf", pages=1).read_bytes())
    print_certificate(
        printer, spool, document, folder, "s-gone", pages=1, timeout=5, emit=events.append
    )
    assert not folder.exists()
    out = tmp_path / "out"
    printed = list(out.glob("*.pdf")) if out.exists() else []
    assert printed == []
    assert events == []
