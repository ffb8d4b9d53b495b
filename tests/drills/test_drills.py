"""Fault drills against a real `kiosk run` (the production wiring, not the demo): the citizen
plays in French by touches, a fault is made, and each drill checks the five outcomes:
(i) what the screen says, (ii) the card released (LOG OFF reached the card), (iii) the session
wiped, (iv) the next citizen served (a document from cups-pdf and a receipt), (v) the server's
documents (no duplicate for one choice, the outcome recorded).

One kiosk process serves the drills in order; only the last two (kill -9, SIGTERM) end it.
Each drill's failure screen is saved in out/drills/.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.drills.citizen import (
    SHOTS,
    _,
    assert_card_released,
    assert_documents,
    assert_wiped,
    at_rest,
    document_ids,
    healthy_journey,
    print_it,
    said,
    shows,
    take_card_back,
    to_confirm,
    to_insert_card,
    type_pin,
)
from tests.harness.escpos_printer import Behaviour
from tests.harness.kiosk_process import TERMINAL_ID, KioskProcess, Rig, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.ui, pytest.mark.drill]

SERVICE_DOWN = _("The service is not available")
PRINTER_DOWN = _("The printer is not available")
PRINT_FAILED = _("Printing did not work")
RECEIPT_PROMISED = _("Take your card, your document and your receipt")
RECEIPT_TIMEOUT_S = 2.0  # receipt.timeout in the drills' configuration


class Drill:
    """What every drill notes before its fault, and checks after."""

    def __init__(self, rig: Rig, kiosk: KioskProcess, name: str) -> None:
        at_rest(kiosk)
        self.rig, self.kiosk, self.name = rig, kiosk, name
        self.documents_before = document_ids(rig)
        self.log_offs = rig.card.log_offs()
        self.removals = rig.card.count("card: removed")
        self.log_from = len(kiosk.log_text())

    def failure_screen(self, *states: str, timeout: float = 30.0) -> dict[str, Any]:
        screen = self.kiosk.wait_state(*states, timeout=timeout)
        self.kiosk.shot(SHOTS / f"{self.name}.png")
        return screen

    def says(self, screen: dict[str, Any], *sentences: str | tuple[str, ...]) -> dict[str, Any]:
        """(i) every sentence is on the screen (drawn within a few seconds of the state); a
        tuple is "one of these"."""
        state = screen["state"]

        def shown(seen: dict[str, Any], sentence: str | tuple[str, ...]) -> bool:
            options = (sentence,) if isinstance(sentence, str) else sentence
            return any(shows(seen, option) for option in options)

        try:
            return self.kiosk.wait(
                lambda seen: seen["state"] == state and all(shown(seen, s) for s in sentences),
                5,
                f"{sentences} on the screen",
            )
        finally:
            self.kiosk.shot(SHOTS / f"{self.name}.png")

    def ended(self) -> set[str]:
        """(ii) and (iii) after the citizen has gone; the drill's documents so far."""
        assert_card_released(self.rig, self.log_offs, self.removals)
        assert_wiped(self.rig, self.kiosk, self.log_from)
        return document_ids(self.rig) - self.documents_before


def test_api_killed_before_the_fetch(rig: Rig, kiosk: KioskProcess) -> None:
    drill = Drill(rig, kiosk, "api-killed-before-fetch")
    to_confirm(rig, kiosk)
    rig.kill_server()
    try:
        print_it(kiosk)
        screen = drill.failure_screen("service_error")
        drill.says(screen, SERVICE_DOWN, said("error.offline"))
        take_card_back(rig, kiosk)
        issued = drill.ended()
    finally:
        rig.start_server()
    healthy_journey(rig, kiosk)
    assert_documents(rig, issued, issued=0, outcome=None)


def test_api_killed_during_the_fetch(rig: Rig, kiosk: KioskProcess) -> None:
    drill = Drill(rig, kiosk, "api-killed-during-fetch")
    to_confirm(rig, kiosk)
    rig.server.set_faults(
        {"kind": "latency", "path_prefix": "/v1/documents", "seconds": 1.5, "count": 1}
    )
    try:
        print_it(kiosk)
        kiosk.wait_state("fetching", timeout=10)
        rig.kill_server()
        screen = drill.failure_screen("service_error")
        drill.says(screen, SERVICE_DOWN, (said("error.offline"), said("error.server_error")))
        take_card_back(rig, kiosk)
        issued = drill.ended()
    finally:
        rig.start_server()
    healthy_journey(rig, kiosk)
    assert_documents(rig, issued, issued=0, outcome=None)


def _retry_gives_one_document(rig: Rig, kiosk: KioskProcess, drill: Drill, sentence: str) -> None:
    """The failure screen says `sentence`; "Réessayer" repeats the same request (same
    idempotency key): one document, printed, for this choice."""
    screen = drill.failure_screen("service_error")
    drill.says(screen, SERVICE_DOWN, sentence)
    kiosk.touch(_("Try again"))
    screen = kiosk.wait_state("take_card", "print_error", "service_error", "catalogue", timeout=40)
    assert screen["state"] == "take_card", (
        f"Try again did not print the document at once: {screen['state']} {screen['texts']}"
    )
    rig.card.remove()
    at_rest(kiosk)
    issued = drill.ended()
    healthy_journey(rig, kiosk)
    assert_documents(rig, issued, issued=1, outcome="printed")


def test_api_slow_beyond_the_timeout(rig: Rig, kiosk: KioskProcess) -> None:
    drill = Drill(rig, kiosk, "api-slow")
    to_confirm(rig, kiosk)
    # The server does the work after 5 s; the kiosk gave up after 3 s (cityapi.read_timeout).
    rig.server.set_faults(
        {"kind": "latency", "path_prefix": "/v1/documents", "seconds": 5.0, "count": 1}
    )
    print_it(kiosk)
    _retry_gives_one_document(rig, kiosk, drill, said("error.timeout"))


@pytest.mark.parametrize("kind", ["drop", "error"])
def test_the_answer_cut(rig: Rig, kiosk: KioskProcess, kind: str) -> None:
    drill = Drill(rig, kiosk, f"answer-cut-{kind}")
    to_confirm(rig, kiosk)
    rig.server.set_faults({"kind": kind, "path_prefix": "/v1/documents", "count": 1})
    print_it(kiosk)
    sentence = said("error.offline") if kind == "drop" else said("error.server_error")
    _retry_gives_one_document(rig, kiosk, drill, sentence)


def _printer_fault(
    rig: Rig, kiosk: KioskProcess, name: str, fault: Callable[[], None], mend: Callable[[], None]
) -> None:
    """The certificate printer fails after the citizen chose: a plain sentence, the document
    not handed over is recorded as such, and once mended the next citizen is served."""
    drill = Drill(rig, kiosk, name)
    to_confirm(rig, kiosk)
    fault()
    try:
        print_it(kiosk)
        screen = drill.failure_screen("service_error", "print_error", timeout=45)
        unavailable, failed = said("error.unavailable"), said("error.failed")
        # A job the kiosk cannot follow any more (cupsd gone while it waits) ends at
        # printer.job_timeout: seen on a loaded machine, as plain as the others.
        timed_out = said("error.print_timeout")
        if screen["state"] == "service_error":
            drill.says(screen, PRINTER_DOWN, unavailable)
        else:
            drill.says(screen, PRINT_FAILED, (unavailable, failed, timed_out))
        take_card_back(rig, kiosk)
        issued = drill.ended()
    finally:
        mend()
    # The kiosk sees the printer back by itself (it polls the queue).
    wait_for(lambda: kiosk.screen().get("state") == "attract", 30, "the kiosk back in service")
    healthy_journey(rig, kiosk)
    if screen["state"] == "print_error":  # fetched, then not printed: the city knows it
        assert_documents(rig, issued, issued=1, outcome=("print_failed", "abandoned"))
    else:  # refused before the fetch: nothing issued
        assert_documents(rig, issued, issued=0, outcome=None)


def test_queue_disabled(rig: Rig, kiosk: KioskProcess) -> None:
    queue = rig.cupsd.queue
    _printer_fault(
        rig,
        kiosk,
        "queue-disabled",
        lambda: rig.cupsd.run("cupsdisable", queue),
        lambda: rig.cupsd.run("cupsenable", queue),
    )


def test_cupsd_stopped(rig: Rig, kiosk: KioskProcess) -> None:
    _printer_fault(rig, kiosk, "cupsd-stopped", rig.cupsd.stop_daemon, rig.cupsd.start_daemon)


def test_receipt_printer_mute(rig: Rig, kiosk: KioskProcess) -> None:
    drill = Drill(rig, kiosk, "receipt-printer-mute")
    to_confirm(rig, kiosk)
    rig.printer.behaviour = Behaviour.NO_ANSWER
    try:
        print_it(kiosk)
        kiosk.wait_state("take_card", "print_error", timeout=60)
        # The receipt printer has receipt.timeout (2 s) to confirm; then the screen is final.
        time.sleep(RECEIPT_TIMEOUT_S + 1)
        screen = drill.failure_screen("take_card", "print_error")
        # The document is printed; the receipt is not confirmed: the screen must not promise
        # it, and shows the document's verification code so nothing is lost.
        for promise in (said("take_card_and_receipt"), RECEIPT_PROMISED):
            assert not shows(screen, promise), f"{promise!r} on screen: {screen['texts']}"
        code = _latest_verification_code(rig)
        assert any(code in text for text in screen["texts"]), (
            f"the verification code {code} is not on the screen: {screen['texts']}"
        )
    finally:
        rig.printer.behaviour = Behaviour.ONLINE
    rig.card.remove()
    at_rest(kiosk)
    issued = drill.ended()
    healthy_journey(rig, kiosk)
    assert_documents(rig, issued, issued=1, outcome="printed")


def _latest_verification_code(rig: Rig) -> str:
    """The last document's verification code, from the server's own database."""
    rows = rig.server.query(
        "SELECT verification_code FROM documents WHERE terminal_id = ? "
        "ORDER BY created_at DESC LIMIT 1",
        (TERMINAL_ID,),
    )
    assert rows and rows[0][0], "no document issued"
    return str(rows[0][0])


def test_card_pulled_at_reading(rig: Rig, kiosk: KioskProcess) -> None:
    drill = Drill(rig, kiosk, "card-pulled-at-reading")
    to_insert_card(kiosk)
    removed_before = rig.card.count("card: removed")
    rig.card.pull_out_after(5)  # in the middle of reading the card's files
    rig.card.insert_only()
    # Said on the goodbye screen (or the card error screen), for thank_you_timeout: watched
    # from the pull on, since waiting for the emulator's line first can miss it.
    sentences = (
        _("The card came out of the reader before the end."),
        _("Please put it back in the reader to start again."),
    )
    kiosk.wait(
        lambda seen: (
            seen["state"] in ("card_error", "thank_you")
            and all(shows(seen, sentence) for sentence in sentences)
        ),
        20,
        f"{sentences} on the screen",
    )
    kiosk.shot(SHOTS / f"{drill.name}.png")
    rig.card.wait_line("card: removed", 15, removed_before + 1)
    take_card_back(rig, kiosk)
    # The card left before the PIN: it took its session with it (ii); wiped all the same.
    issued = drill.ended()
    healthy_journey(rig, kiosk)
    assert_documents(rig, issued, issued=0, outcome=None)


def test_kill_9_mid_print_then_restart(rig: Rig, kiosk: KioskProcess) -> None:
    drill = Drill(rig, kiosk, "kill-9-mid-print")
    queue = rig.cupsd.queue
    held = rig.cupsd.run("lpadmin", "-p", queue, "-o", "job-hold-until-default=indefinite")
    assert held.returncode == 0, held.stderr
    try:
        to_confirm(rig, kiosk)
        print_it(kiosk)
        kiosk.wait_state("printing", timeout=30)
        wait_for(lambda: bool(_jobs(rig)), 20, "the held print job in the spool")
        kiosk.shot(SHOTS / f"{drill.name}.png")
        kiosk.kill()
        assert list(rig.tmpfs_dir.glob("kiosk-session-*")), "a crash leaves the session folder"
        issued = document_ids(rig) - drill.documents_before
    finally:
        rig.cupsd.run("lpadmin", "-p", queue, "-o", "job-hold-until-default=no-hold")
    rig.card.remove()
    restarted = KioskProcess(rig, rig.display, "after-kill")
    at_rest(restarted)
    assert_wiped(rig, restarted)  # the new process wiped the leftover
    wait_for(lambda: not _jobs(rig), 15, "the held job to be purged")
    healthy_journey(rig, restarted)
    assert_documents(rig, issued, issued=1, outcome="unknown")


def _jobs(rig: Rig) -> list[str]:
    listed = rig.cupsd.run("lpstat", "-o", rig.cupsd.queue)
    return [line for line in listed.stdout.splitlines() if line.strip()]


def test_sigterm_mid_session(rig: Rig, kiosk: KioskProcess) -> None:
    drill = Drill(rig, kiosk, "sigterm-mid-session")
    to_insert_card(kiosk)
    rig.card.insert()
    type_pin(kiosk)
    kiosk.wait_state("catalogue", timeout=30)
    kiosk.shot(SHOTS / f"{drill.name}.png")
    code, seconds = kiosk.terminate(timeout=10)
    try:
        if code is None:
            kiosk.kill()
        assert code == 0 and seconds < 5, f"SIGTERM: exit {code} after {seconds:.1f} s"
        # The card is still in the reader: only LOG OFF ends its session.
        wait_for(lambda: rig.card.log_offs() > drill.log_offs, 5, "LOG OFF to reach the card")
        assert not list(rig.tmpfs_dir.glob("kiosk-session-*")), "the session folder is left"
    finally:
        rig.card.remove()
    issued = document_ids(rig) - drill.documents_before
    restarted = KioskProcess(rig, rig.display, "after-sigterm")
    healthy_journey(rig, restarted)
    assert_documents(rig, issued, issued=0, outcome=None)


@pytest.mark.parametrize("when", ["during-attract", "right-before-a-journey"])
def test_pcscd_restarted(rig: Rig, kiosk: KioskProcess, when: str) -> None:
    """pcscd restarts while the attract screen shows (the kiosk settles first), or right
    before a citizen comes; the first citizen after it is served."""
    drill = Drill(rig, kiosk, f"pcscd-restarted-{when}")
    rig.pcscd.restart()
    if when == "during-attract":  # the kiosk has seen its reader go and come back
        wait_for(
            lambda: "card reader available" in kiosk.log_text()[drill.log_from :],
            15,
            "the kiosk to see its reader again",
        )
        at_rest(kiosk)
    try:
        healthy_journey(rig, kiosk)  # the first citizen after the restart
    finally:
        kiosk.shot(SHOTS / f"{drill.name}.png")
    assert_card_released(rig, drill.log_offs, drill.removals)
    assert_wiped(rig, kiosk, drill.log_from)
