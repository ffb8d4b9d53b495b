"""The runtime's small parts on their own: the worker, the spool port, certificate printing
with the simulated printer twin, receipts with the ESC/POS printer's loopback twin, the city
API error mapping and the signature bridge."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from devices.printing import JobOutcome, JobState, Level, Readiness, SimulatedDocumentPrinter
from devices.printing.receipt.escpos_printer import EscposReceiptPrinter
from devices.printing.receipt.no_printer import NoReceiptPrinter
from kiosk.cityclient import CityApiError, ErrorKind
from kiosk.wiring.api import Cancelled, SignBridge, api_problem, read_into_bytearray
from kiosk.wiring.printing import Spool, outcome_problem, print_certificate, print_receipt
from kiosk.wiring.receipt_content import receipt_in
from kiosk.wiring.worker import Worker
from session import events as ev
from session.problems import ApiProblem, PrintProblem
from session.workspace import session_dir
from tests.harness.documents import make_pdf
from tests.harness.escpos_printer import Behaviour, FakeEscposPrinter, refusing_port

PDF = bytearray(b"%PDF-1.4\n% a certificate\n%%EOF\n")
SID = "0123456789abcdef"


def fail() -> None:
    raise RuntimeError("a job that fails")


def test_worker_runs_jobs_in_order_and_survives_a_failing_one() -> None:
    worker = Worker("test-worker")
    done: list[int] = []
    worker.submit(lambda: done.append(1))
    worker.submit(fail)
    worker.submit(lambda: done.append(2))
    assert worker.stop(2.0)
    assert done == [1, 2]
    worker.submit(lambda: done.append(3))  # refused after stop
    assert done == [1, 2]


def test_worker_stop_is_bounded_when_a_job_hangs() -> None:
    release = threading.Event()
    worker = Worker("test-hung")

    def hang() -> None:
        release.wait(5)

    worker.submit(hang)
    started = time.monotonic()
    assert worker.stop(0.2) is False
    assert time.monotonic() - started < 1.0
    release.set()


def test_print_certificate_reports_each_step_and_leaves_no_file(tmp_path: Path) -> None:
    printer = SimulatedDocumentPrinter(tmp_path / "out")
    spool = Spool(printer)
    folder = session_dir(tmp_path / "tmpfs", SID)
    events: list[ev.Event] = []
    print_certificate(printer, spool, PDF, folder, SID, pages=1, timeout=5, emit=events.append)
    assert isinstance(events[0], ev.PrintQueued)
    assert isinstance(events[-1], ev.PrintCompleted)
    assert any(isinstance(e, ev.PrintProgress) for e in events)
    assert list(folder.iterdir()) == []  # the file lived only until the printer took it
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 1
    queued = events[0]
    assert isinstance(queued, ev.PrintQueued)
    job = queued.job_id
    assert spool.wiped(SID) == (job,)
    spool.purge([job])
    assert spool.remaining([job]) == [] and spool.active_jobs() == []


def test_print_certificate_with_the_printer_unavailable(tmp_path: Path) -> None:
    printer = SimulatedDocumentPrinter(tmp_path / "out")
    printer.set_readiness(Readiness(Level.UNAVAILABLE, "paper out"))
    events: list[ev.Event] = []
    folder = session_dir(tmp_path / "tmpfs", SID)
    print_certificate(
        printer, Spool(printer), PDF, folder, SID, pages=1, timeout=5, emit=events.append
    )
    assert events == [ev.PrintFailed(PrintProblem.UNAVAILABLE)]
    assert list(folder.iterdir()) == []


def test_a_job_of_a_session_already_wiped_is_purged_at_once(tmp_path: Path) -> None:
    printer = SimulatedDocumentPrinter(tmp_path / "out")
    spool = Spool(printer)
    spool.wiped(SID)
    events: list[ev.Event] = []
    folder = session_dir(tmp_path / "tmpfs", SID)
    print_certificate(printer, spool, PDF, folder, SID, pages=1, timeout=5, emit=events.append)
    assert events == []  # nobody is there to hear about it
    assert spool.active_jobs() == []


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


@pytest.mark.parametrize(
    ("outcome", "problem"),
    [
        (JobOutcome(1, JobState.PROCESSING, True, "slow", 0, 9.0), PrintProblem.TIMEOUT),
        (JobOutcome(1, JobState.STOPPED, False, "media-empty-error", 0, 1), PrintProblem.PAPER_OUT),
        (JobOutcome(1, JobState.ABORTED, False, "job aborted (media-jam)", 0, 1), PrintProblem.JAM),
        (JobOutcome(1, JobState.STOPPED, False, "queue paused", 0, 1), PrintProblem.UNAVAILABLE),
        (JobOutcome(1, JobState.CANCELED, False, "job canceled", 0, 1), PrintProblem.FAILED),
    ],
)
def test_outcome_problem(outcome: JobOutcome, problem: PrintProblem) -> None:
    assert outcome_problem(outcome) is problem


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (CityApiError(ErrorKind.UNREACHABLE, "x"), ApiProblem.OFFLINE),
        (CityApiError(ErrorKind.TIMEOUT, "x"), ApiProblem.TIMEOUT),
        (CityApiError(ErrorKind.SERVER_ERROR, "x", status=503), ApiProblem.SERVER_ERROR),
        (CityApiError(ErrorKind.REFUSED, "x", status=403), ApiProblem.REFUSED),
        (CityApiError(ErrorKind.REFUSED, "x", status=404), ApiProblem.NOT_FOUND),
        (
            CityApiError(ErrorKind.REFUSED, "x", status=403, code="not_in_register"),
            ApiProblem.NOT_IN_REGISTER,
        ),
        (Cancelled(), ApiProblem.TIMEOUT),
        (ValueError(), ApiProblem.SERVER_ERROR),
    ],
)
def test_api_problem(error: Exception, problem: ApiProblem) -> None:
    assert api_problem(error) is problem


def test_sign_bridge_hands_over_the_signature() -> None:
    seen: list[bytes] = []
    bridge = SignBridge(seen.append, timeout=2)
    signature, certificate = bytearray(b"sig"), bytearray(b"cert")
    threading.Timer(0.05, lambda: bridge.resolve(signature, certificate)).start()
    assert bridge.sign(b"nonce") == (signature, certificate)
    assert seen == [b"nonce"]


def test_sign_bridge_cancelled_or_timed_out() -> None:
    bridge = SignBridge(lambda _c: None, timeout=2)
    threading.Timer(0.05, bridge.cancel).start()
    with pytest.raises(Cancelled):
        bridge.sign(b"nonce")
    with pytest.raises(Cancelled):
        SignBridge(lambda _c: None, timeout=0.05).sign(b"nonce")


def test_read_into_bytearray(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(bytes(PDF))
    assert read_into_bytearray(path) == PDF


CODE = "WXYZ-CANARY-RCPT"  # a verification code that must never reach a log
RECEIPT = receipt_in(
    "fr",
    document_name="Certificat de résidence",
    issued_at=datetime(2026, 12, 7, 14, 5),
    terminal_id="bxl-cab-03",
    reference="REF-2026-000123",
    verification_code=CODE,
    verification_url="https://e-guichet.brussels/verify/" + CODE,
)
RECEIPT_TIMEOUT_S, STATUS_TIMEOUT_S = 1.0, 0.3


@pytest.mark.parametrize(
    ("behaviour", "printed"),
    [
        (Behaviour.ONLINE, True),
        (Behaviour.PAPER_NEAR_END, True),
        (Behaviour.NO_ANSWER, False),  # mute: connected, but it never confirms
        (Behaviour.PAPER_OUT, False),  # offline before: nothing sent
        (Behaviour.PAPER_OUT_AT_END, False),  # the roll ran out during the receipt
        (Behaviour.COVER_OPEN, False),
    ],
)
def test_a_receipt_counts_as_printed_only_when_the_printer_confirms_it(
    behaviour: Behaviour, printed: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeEscposPrinter(behaviour) as fake:
        printer = EscposReceiptPrinter(
            fake.uri, timeout=RECEIPT_TIMEOUT_S, status_timeout=STATUS_TIMEOUT_S
        )
        started = time.monotonic()
        assert print_receipt(printer, RECEIPT) is printed
        took = time.monotonic() - started
    # Bounded: a status query, the receipt, one more query (the session waits 10 s at most).
    assert took < STATUS_TIMEOUT_S + RECEIPT_TIMEOUT_S + 1.0
    assert CODE not in caplog.text


def test_an_unreachable_or_missing_receipt_printer_is_no_receipt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with refusing_port() as port:
        printer = EscposReceiptPrinter(f"tcp://127.0.0.1:{port}", timeout=RECEIPT_TIMEOUT_S)
        assert print_receipt(printer, RECEIPT) is False
    assert print_receipt(NoReceiptPrinter(), RECEIPT) is False
    assert CODE not in caplog.text
