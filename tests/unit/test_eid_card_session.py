"""What the end of a card session leaves on the card."""

from __future__ import annotations

import pytest

from devices.eid.card import BelpicCard
from devices.eid.card_session import CardSession
from devices.eid.challenge import signed_message
from devices.eid.emulator import BelpicApplet, SimReader
from devices.eid.errors import CardStatusError
from devices.eid.simulated import SimulatedReader, SimulatedTransport
from tests.harness.eid import card, roots


def test_ending_the_session_logs_the_card_off_so_it_no_longer_signs() -> None:
    reader = SimReader(BelpicApplet(card("1.8")))
    session = CardSession(SimulatedReader(reader), roots("1.8"))
    session.read()
    session.verify_pin(bytearray(b"1234"))
    signature, certificate = session.sign(signed_message("kiosk-1", bytes(32)))
    assert signature and certificate
    session.forget()
    # The card stayed in the reader; whoever talks to it next gets no signature.
    other = BelpicCard(SimulatedTransport(reader))
    other.select_applet()
    with pytest.raises(CardStatusError) as refused:
        other.sign_challenge(signed_message("kiosk-1", bytes(range(32))))
    assert refused.value.sw == 0x6982
