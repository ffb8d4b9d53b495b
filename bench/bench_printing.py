"""Printing figures: submit-to-completed on cups-pdf, and ESC/POS bytes to PNG for a receipt.

Each is reported with a baseline measured in the same run: a bare pycups printFile plus a
tight getJobAttributes poll loop (what the worker thread, the progress callbacks and the
queue checks cost on top), and a plain Pillow drawing of the same receipt text (what
decoding, cell layout, images and the QR cost on top). The CUPS part starts a private
cupsd through the test harness, so it needs root, cupsd and cups-pdf; without them it says
why and reports the rendering part alone.
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

CUPS_RUNS = 5
RENDER_RUNS = 30


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def _make_pdf(path: Path, pages: int = 2) -> Path:
    from PIL import Image, ImageDraw

    # Pillow writes a PDF without the optional fpdf2 dependency.
    sheets = []
    for number in range(pages):
        sheet = Image.new("RGB", (595, 842), "white")
        ImageDraw.Draw(sheet).text((72, 72), f"Benchmark page {number + 1}", fill="black")
        sheets.append(sheet)
    sheets[0].save(path, save_all=True, append_images=sheets[1:])
    return path


def bench_cups() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {"cups_skipped": "needs root for the private cupsd"}
    try:
        from tests.harness.cupsd import start_cupsd
    except ImportError:
        return {"cups_skipped": "run from the repository root (tests.harness is needed)"}
    import cups

    from devices.printing.document.cups_printer import CupsDocumentPrinter
    from devices.printing.document.printer import print_pdf

    try:
        daemon = start_cupsd()
    except BaseException as exc:  # the harness fails like a test (pytest's Failed)
        return {"cups_skipped": f"cannot start cupsd: {exc}"}
    ours: list[float] = []
    bare: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            pdf = _make_pdf(Path(folder) / "bench.pdf")
            printer = CupsDocumentPrinter(daemon.queue, server=str(daemon.socket))
            connection = daemon.connection()
            for run in range(CUPS_RUNS):
                started = time.perf_counter()
                outcome = print_pdf(printer, pdf, session_id="bench", timeout=60)
                ours.append(time.perf_counter() - started)
                if not outcome.completed:
                    return {"cups_skipped": f"job did not complete: {outcome.reason}"}
                started = time.perf_counter()
                job = connection.printFile(daemon.queue, str(pdf), f"bare-{run}", {"media": "A4"})
                deadline = started + 60
                while time.perf_counter() < deadline:
                    state = connection.getJobAttributes(job, requested_attributes=["job-state"])
                    if state["job-state"] >= cups.IPP_JOB_STOPPED:
                        break
                    time.sleep(0.01)
                bare.append(time.perf_counter() - started)
            printer.purge_session("bench")
            printer.close()
    finally:
        daemon.stop()
    return {
        "cups_submit_to_completed_ms": _median_ms(ours),
        "cups_baseline_bare_pycups_ms": _median_ms(bare),
        "cups_ratio": round(statistics.median(ours) / statistics.median(bare), 2),
        "cups_runs": CUPS_RUNS,
    }


def bench_render() -> dict[str, Any]:
    from PIL import Image, ImageDraw

    from devices.printing.receipt.escpos_decode import decode, text_lines
    from devices.printing.receipt.escpos_render import render, render_png
    from devices.printing.receipt.fonts import dejavu
    from devices.printing.receipt.layout import build_receipt
    from kiosk.wiring.receipt_content import receipt_in

    data = build_receipt(
        receipt_in(
            "fr",
            document_name="Certificat de résidence avec historique",
            issued_at=datetime(2026, 11, 29, 14, 5),
            terminal_id="bxl-cab-03",
            reference="REF-2026-000123",
            verification_code="7QK-4F2-Z9M",
            verification_url="https://e-guichet.brussels/verify/7QK4F2Z9M",
            price_cents=350,
        )
    )
    render_png(data)  # warm the glyph cache, as a running kiosk has it
    size = render(data).size
    lines = text_lines(decode(data))
    font = dejavu("DejaVuSansMono.ttf", 20)
    ours: list[float] = []
    plain: list[float] = []
    for _ in range(RENDER_RUNS):
        started = time.perf_counter()
        render_png(data)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        canvas = Image.new("L", size, 255)
        draw = ImageDraw.Draw(canvas)
        for number, line in enumerate(lines):
            draw.text((0, 8 + 30 * number), line, font=font, fill=0)
        canvas.save(io.BytesIO(), format="PNG")
        plain.append(time.perf_counter() - started)
    return {
        "render_receipt_bytes": len(data),
        "render_png_ms": _median_ms(ours),
        "render_baseline_plain_pillow_ms": _median_ms(plain),
        "render_ratio": round(statistics.median(ours) / statistics.median(plain), 2),
        "render_runs": RENDER_RUNS,
    }


def main() -> dict[str, Any]:
    return {**bench_render(), **bench_cups()}
