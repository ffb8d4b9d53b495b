"""Receipts to a loopback TCP receipt printer that records bytes and answers DLE EOT."""

from __future__ import annotations

import io
import json
import time
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devices.printing.errors import (
    ReceiptConnectionLost,
    ReceiptPrinterNotReady,
    ReceiptPrinterUnreachable,
)
from devices.printing.readiness import Level
from devices.printing.receipt.escpos_decode import (
    Cut,
    RasterImage,
    StatusQuery,
    TextRun,
    decode,
    runs_containing,
    text_lines,
)
from devices.printing.receipt.escpos_printer import EscposReceiptPrinter
from devices.printing.receipt.escpos_render import render_png
from devices.printing.receipt.status import ReceiptState
from kiosk.cli import main
from kiosk.wiring.receipt_content import receipt_in
from tests.harness.escpos_printer import Behaviour, FakeEscposPrinter, refusing_port

pytestmark = pytest.mark.integration

URL = "https://e-guichet.brussels/verify/7QK4F2Z9M"
CONTENT = receipt_in(
    "fr",
    document_name="Certificat de résidence, Molenbeek-Saint-Jean ß €",
    issued_at=datetime(2026, 11, 29, 14, 5),
    terminal_id="bxl-cab-03",
    reference="REF-2026-000123",
    verification_code="7QK-4F2-Z9M",
    verification_url=URL,
    price_cents=350,
)


def printer_for(fake: FakeEscposPrinter) -> EscposReceiptPrinter:
    return EscposReceiptPrinter(fake.uri, timeout=2.0, status_timeout=0.3)


def qr_payloads(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_a_receipt_arrives_whole_in_the_right_code_page() -> None:
    with FakeEscposPrinter(Behaviour.ONLINE) as fake:
        outcome = printer_for(fake).print_receipt(CONTENT)
        received = fake.received
    assert outcome.confirmed
    assert outcome.before.state is ReceiptState.READY
    elements = decode(received)
    lines = text_lines(elements)
    assert "Reçu" in lines
    # Wrapped at the profile's 42 columns, on a word boundary.
    assert all(len(line) <= 42 for line in lines if URL not in line)  # the URL: Font B, 56
    assert "Certificat de résidence, Molenbeek-Saint-Jean ß €" in " ".join(lines)
    assert any(line.startswith("Prix ") and line.endswith("3,50 €") for line in lines)
    assert any("Référence" in line and "REF-2026-000123" in line for line in lines)
    assert any("29/11/2026 14:05" in line for line in lines)
    assert "Merci et à bientôt !" in lines
    # The accents travelled as CP858 bytes (é = 0x82, ß = 0xE1, € = 0xD5), not UTF-8.
    assert "é".encode("cp858") in received and "€".encode("cp858") == b"\xd5"
    assert b"\xd5" in received and "é".encode() not in received
    (title,) = runs_containing(elements, "Reçu")
    assert title.code_page == "CP858"
    assert title.style.bold and title.style.width == 2 and title.style.align == "center"
    assert sum(isinstance(e, RasterImage) for e in elements) == 2  # logo and QR code
    cuts = [e for e in elements if isinstance(e, Cut)]
    assert len(cuts) == 1 and cuts[0].partial
    assert isinstance(elements[-1], StatusQuery)  # the confirmation query after the receipt
    assert qr_payloads(render_png(received)) == [URL]


def test_paper_near_end_is_degraded_and_still_prints() -> None:
    with FakeEscposPrinter(Behaviour.PAPER_NEAR_END) as fake:
        printer = printer_for(fake)
        status = printer.status()
        outcome = printer.print_receipt(CONTENT)
    assert status.state is ReceiptState.PAPER_NEAR_END
    assert status.readiness().level is Level.DEGRADED
    assert "near its end" in status.readiness().reason
    assert outcome.confirmed


@pytest.mark.parametrize(
    ("behaviour", "state"),
    [
        (Behaviour.PAPER_OUT, ReceiptState.PAPER_OUT),
        (Behaviour.COVER_OPEN, ReceiptState.COVER_OPEN),
    ],
)
def test_paper_out_or_cover_open_is_unavailable_and_nothing_is_sent(
    behaviour: Behaviour, state: ReceiptState
) -> None:
    with FakeEscposPrinter(behaviour) as fake:
        printer = printer_for(fake)
        status = printer.status()
        with pytest.raises(ReceiptPrinterNotReady):
            printer.print_receipt(CONTENT)
        received = fake.received
    assert status.state is state
    assert status.readiness().level is Level.UNAVAILABLE
    assert all(isinstance(e, StatusQuery) for e in decode(received))


def test_silence_is_no_answer_never_paper_out() -> None:
    with FakeEscposPrinter(Behaviour.NO_ANSWER) as fake:
        printer = printer_for(fake)
        started = time.monotonic()
        status = printer.status()
        elapsed = time.monotonic() - started
    assert status.state is ReceiptState.NO_ANSWER
    assert status.readiness().level is Level.DEGRADED
    assert "does not answer" in status.readiness().reason
    assert elapsed < 2, "the status query is bounded by its timeout"


def test_connection_refused_is_unreachable() -> None:
    with refusing_port() as port:
        printer = EscposReceiptPrinter(f"tcp://127.0.0.1:{port}", timeout=1.0)
        status = printer.status()
        with pytest.raises(ReceiptPrinterUnreachable, match="connection refused"):
            printer.print_receipt(CONTENT)
    assert status.state is ReceiptState.UNREACHABLE
    assert status.readiness().level is Level.UNAVAILABLE


def test_a_connection_reset_mid_receipt_is_reported_lost() -> None:
    with FakeEscposPrinter(Behaviour.RESET_MID_RECEIPT, reset_after=1000) as fake:
        with pytest.raises(ReceiptConnectionLost):
            printer_for(fake).print_receipt(CONTENT)
        assert len(fake.received) >= 1000


def test_no_answer_after_the_receipt_leaves_it_unconfirmed() -> None:
    with FakeEscposPrinter(Behaviour.NO_ANSWER) as fake:
        outcome = EscposReceiptPrinter(fake.uri, timeout=0.5, status_timeout=0.2).print_receipt(
            CONTENT
        )
        received = fake.received
    assert not outcome.confirmed
    assert any(isinstance(e, Cut) for e in decode(received)), "the receipt was still sent"


# -- the CLI ---------------------------------------------------------------------------------


def write_config(tmp_path: Path, uri: str = "") -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f'[terminal]\nid = "bxl-test-01"\ndefault_language = "de"\n'
        f'[receipt]\nuri = "{uri}"\ntimeout = 0.5\n'
    )
    return path


@pytest.mark.parametrize(
    ("behaviour", "code", "state"),
    [
        (Behaviour.ONLINE, 0, "ready"),
        (Behaviour.PAPER_NEAR_END, 7, "paper-near-end"),
        (Behaviour.PAPER_OUT, 4, "paper-out"),
        (Behaviour.NO_ANSWER, 6, "no-answer"),
    ],
)
def test_cli_status(
    behaviour: Behaviour,
    code: int,
    state: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeEscposPrinter(behaviour) as fake:
        config = write_config(tmp_path, fake.uri)
        result = main(["--config", str(config), "receipt", "status", "--json"])
    out = capsys.readouterr().out
    assert result == code
    assert json.loads(out)["state"] == state


def test_cli_test_receipt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeEscposPrinter(Behaviour.ONLINE) as fake:
        config = write_config(tmp_path)
        result = main(["--config", str(config), "receipt", "test", "--printer", fake.uri])
        received = fake.received
    out = capsys.readouterr().out
    assert result == 0
    assert "test receipt printed" in out
    lines = text_lines(decode(received))
    assert "Quittung" in lines  # the terminal's default language
    assert any("Test é è ë ç ß €" in line for line in lines)
    assert any("bxl-test-01" in line for line in lines)
    assert not any(isinstance(e, TextRun) and "\ufffd" in e.text for e in decode(received))


def test_cli_failures_are_one_line_with_their_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    with refusing_port() as port:
        assert (
            main(
                ["--config", str(config), "receipt", "test", "--printer", f"tcp://127.0.0.1:{port}"]
            )
            == 3
        )
    with FakeEscposPrinter(Behaviour.RESET_MID_RECEIPT, reset_after=500) as fake:
        assert main(["--config", str(config), "receipt", "test", "--printer", fake.uri]) == 5
    with FakeEscposPrinter(Behaviour.PAPER_OUT) as fake:
        assert main(["--config", str(config), "receipt", "test", "--printer", fake.uri]) == 4
    assert main(["--config", str(config), "receipt", "status"]) == 2
    assert main(["--config", str(config), "receipt", "status", "--printer", "lpt://x"]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 5 and all(line.startswith("kiosk: ") for line in lines)
    assert "receipt cut short" in lines[1]
    assert "nothing printed: receipt printer out of paper" in lines[2]
    assert "no receipt printer configured" in lines[3]
    assert "unknown scheme" in lines[4]
