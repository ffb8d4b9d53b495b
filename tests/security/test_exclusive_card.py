"""Finding 7 (the card connection): another local PC/SC client cannot use a session's card.

Tried as an attacker would: a second program on the kiosk (another user's process, a malware
riding on pcscd) waits until the citizen has typed their PIN, then connects to the same
reader, shared, and asks the card for a signature. The kiosk holds the card exclusively for
the whole session, so the second program's connect fails with a sharing violation; once the
session ends the card is free again, and logged off (it no longer signs).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from devices.eid.card_session import CardSession
from devices.eid.emulator import BelpicApplet
from devices.eid.pcsc import PcscReader
from tests.conftest import InsertCard
from tests.harness.eid import card, roots
from tests.harness.pcscd import VPCD_READERS

pytestmark = pytest.mark.integration

READER = VPCD_READERS[0]

# The other program: connect shared, then MSE SET + PSO CDS with the key 0x82; prints what it
# got: "connect <code>" when it could not connect, else the signature's status word.
INTRUDER = f"""
import sys
from smartcard import scard
result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
result, card, protocol = scard.SCardConnect(
    context, {READER!r}, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
)
if result != scard.SCARD_S_SUCCESS:
    print("connect", hex(result & 0xFFFFFFFF))
    sys.exit(0)
digest = list(bytes.fromhex({hashlib.sha384(b"not the citizen's choice").hexdigest()!r}))
apdus = [
    [0x00, 0x22, 0x41, 0xB6, 0x05, 0x04, 0x80, 0x02, 0x84, 0x82],
    [0x00, 0x2A, 0x9E, 0x9A, len(digest)] + digest,
]
for apdu in apdus:
    result, response = scard.SCardTransmit(card, protocol, apdu)
sw = response[-2] << 8 | response[-1]
print("signature", hex(sw))
scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
"""


def intruder() -> str:
    done = subprocess.run(
        [sys.executable, "-c", INTRUDER], capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.strip()


def test_another_pcsc_client_cannot_use_the_card_during_a_session(
    insert_card: InsertCard,
) -> None:
    emulated = BelpicApplet(card("1.8"))
    insert_card(emulated)
    reader = PcscReader(READER)
    session = CardSession(reader, roots("1.8"))
    try:
        read, _ca = session.read()
        read.files.zero()
        session.verify_pin(bytearray(b"1234"))
        before = emulated.apdu_count
        answer = intruder()
        assert answer.startswith("connect "), f"the other program got in: {answer}"
        assert answer == f"connect {hex(0x8010000B)}"  # SCARD_E_SHARING_VIOLATION
        assert emulated.apdu_count == before  # not one command reached the card
    finally:
        session.forget()
        reader.close()
    # The session is over: the card is free again, and no longer signs for anyone.
    assert intruder() == "signature 0x6982"
