"""The citizen of the drills: plays a journey in French by touches on a real `kiosk run`, and
the checks every drill makes (what the screen says, card released, session wiped, the next
citizen served, the server's documents). Expected sentences come from the French catalogue
(computed from the msgids, never typed in French here)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from i18n import announcement, gettext_for
from tests.harness.kiosk_process import KioskProcess, Rig, wait_for
from tests.harness.pcscd import card_present

LANG = "fr"
FRENCH = "Français"
PIN = "1234"
DOCUMENT = "residence"
_ = gettext_for(LANG)
SHOTS = Path(__file__).resolve().parents[2] / "out" / "drills"


def said(key: str, **params: str | int) -> str:
    """The sentence the kiosk shows for an announcement key, in French."""
    return announcement(key, params, LANG)


def shows(screen: dict[str, Any], sentence: str) -> bool:
    return any(sentence in text for text in screen.get("texts", []))


def at_rest(kiosk: KioskProcess, timeout: float = 30.0) -> None:
    """The attract screen with the card out: where every drill starts."""
    kiosk.wait_state("attract", timeout=timeout)


def to_insert_card(kiosk: KioskProcess) -> None:
    at_rest(kiosk)
    kiosk.touch("@centre")
    kiosk.wait_state("language")
    kiosk.touch(FRENCH)
    kiosk.wait_state("insert_card")


def type_pin(kiosk: KioskProcess, pin: str = PIN) -> None:
    kiosk.wait_state("pin", timeout=30)
    for digit in pin:
        kiosk.touch(digit)
    kiosk.touch(_("OK"))


def to_confirm(rig: Rig, kiosk: KioskProcess) -> None:
    """Start, French, card in, PIN, the residence certificate chosen: the Print button next."""
    to_insert_card(kiosk)
    rig.card.insert()
    type_pin(kiosk)
    kiosk.wait_state("catalogue", timeout=30)
    kiosk.touch(f"tile:{DOCUMENT}")
    kiosk.wait_state("confirm")


def print_it(kiosk: KioskProcess) -> None:
    kiosk.touch(_("Print"))


def take_card_back(rig: Rig, kiosk: KioskProcess) -> None:
    """From a failure screen: the citizen asks for the card, takes it; back to rest."""
    screen = kiosk.screen()
    if screen.get("state") in ("card_error", "service_error", "print_error"):
        give_back = _("Give my card back")
        target = give_back if shows(screen, give_back) else _("Stop")
        kiosk.touch(target)
    kiosk.wait_state("take_card", "thank_you", "wiping", "attract", "out_of_service", timeout=20)
    if kiosk.screen().get("state") == "take_card":
        rig.card.remove()
    # Back at rest, or out of service while a device is still missing.
    kiosk.wait_state("attract", "out_of_service", timeout=20)


def healthy_journey(rig: Rig, kiosk: KioskProcess) -> None:
    """(iv) the next citizen is served: a document printed by cups-pdf, a receipt."""
    pdfs = set(rig.cupsd.output_pdfs())
    receipt_bytes = len(rig.printer.received)
    to_confirm(rig, kiosk)
    print_it(kiosk)
    screen = kiosk.wait_state("take_card", "print_error", "service_error", timeout=60)
    assert screen["state"] == "take_card", f"the next citizen was not served: {screen}"
    wait_for(lambda: set(rig.cupsd.output_pdfs()) - pdfs, 30, "cups-pdf to write the document")
    wait_for(lambda: len(rig.printer.received) > receipt_bytes, 10, "the receipt")
    done = _("Take your card, your document and your receipt")
    kiosk.wait(lambda seen: shows(seen, done), 5, f"{done!r} on the screen")
    rig.card.remove()
    kiosk.wait_state("thank_you", "attract", timeout=20)
    at_rest(kiosk)


# -- the five outcomes -------------------------------------------------------------------------


def assert_card_released(rig: Rig, log_offs_before: int, removals_before: int) -> None:
    """(ii) the card's session ended: the kiosk logged it off (the emulator saw LOG OFF), or
    the citizen took it out (its power, and the verified PIN with it, gone), and it is out."""
    wait_for(
        lambda: (
            rig.card.log_offs() > log_offs_before
            or rig.card.count("card: removed") > removals_before
        ),
        10,
        "the card to be logged off or taken out",
    )
    assert not card_present(rig.card.reader), "the card is still in the reader"


def assert_wiped(rig: Rig, kiosk: KioskProcess, log_from: int = 0) -> None:
    """(iii) no session folder left on the tmpfs, and no failed wipe in the kiosk's log."""
    wait_for(
        lambda: not list(rig.tmpfs_dir.glob("kiosk-session-*")), 10, "the session folder to go"
    )
    text = kiosk.log_text()[log_from:]
    assert "NOT verified" not in text and "not verified" not in text, kiosk.log_tail()
    screen = kiosk.screen() if kiosk.process.poll() is None else {}
    assert not screen.get("wipe_failed"), "the wipe was not verified"


def document_ids(rig: Rig) -> set[str]:
    """The ids of this terminal's documents now (empty when the server cannot list them: the
    drill checks that, and fails, at its end, after the other outcomes)."""
    try:
        return {d["document_id"] for d in rig.documents()}
    except (AssertionError, OSError):
        return set()


def assert_documents(
    rig: Rig,
    drill: set[str],
    *,
    issued: int,
    outcome: str | tuple[str, ...] | None,
    timeout: float = 15.0,
) -> None:
    """(v) the drill's one choice gave `issued` documents (0 or 1: never a duplicate), each
    with `outcome` (or one of them) recorded; reported late is fine: waited for, bounded."""
    wanted = outcome if isinstance(outcome, tuple) else (outcome,)
    deadline = time.monotonic() + timeout
    while True:
        everything = {d["document_id"]: d for d in rig.documents()}
        mine = [everything[i] for i in drill if i in everything]
        if all(d.get("outcome") in wanted for d in mine) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(drill) == issued, f"{len(drill)} documents for one choice: {mine}"
    assert len(mine) == issued, f"the city does not list the drill's documents: {drill}"
    for document in mine:
        assert document.get("outcome") in wanted, f"outcome not recorded as {outcome}: {document}"


def screenshot(kiosk: KioskProcess, shots: Path, name: str) -> None:
    kiosk.shot(shots / f"{name}.png")
