"""`kiosk demo`: the whole e-guichet journey on embedded defaults, no hardware needed.

The city's reference server runs as a child process on loopback (`python -m cityserver`,
stopped with the demo), the reader is simulated with a demo citizen's card (PIN 1234) that
the on-screen demo buttons (or F5 / F6) put in and take out, and certificates go to CUPS when
a cups-pdf queue exists, else to PDF files.

`kiosk demo --headless --out DIR` plays a scripted journey in each language under Xvfb (its
own when there is no display), each screen also in high contrast and in large text, then the
trouble scenes of kiosk.showcase.scenes, and writes into DIR a picture of every screen, the
printed PDFs, the receipt as a PNG and summary.json; `--gallery DOCS` then writes the gallery
page (kiosk.showcase.gallery).

Exit codes: those of kiosk.cli, and 3 when KIVY_HOME belongs to another user or is writable
by group or others (kiosk.kivy_setup). SIGTERM, SIGINT and SIGHUP stop the windowed demo
cleanly, exit 0 (kiosk.stop_signals). A session folder (session.tmpfs_dir) that is not on a
tmpfs is one warning line (`kiosk run` refuses it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

import i18n
from kiosk.config import Settings, load_settings
from kiosk.logs import setup_logging

if TYPE_CHECKING:  # `kiosk run` imports every subcommand's module: keep them light
    from kiosk.display import VirtualDisplay

HELP = "run the kiosk on embedded defaults with simulated devices (no hardware needed)"
DEMO_MAINTENANCE_PIN = "2468"  # the demo's own; IT set a real one: kiosk maintenance code
DEMO_PIN = "1234"


def register(sub: Any) -> None:
    parser = sub.add_parser("demo", help=HELP, description=HELP)
    parser.add_argument(
        "--headless",
        action="store_true",
        help="play a scripted journey and what goes wrong, in each language, under Xvfb, and "
        "write what it shows",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("out/demo"),
        help="where headless runs write screenshots, PDFs, the receipt and summary.json",
    )
    parser.add_argument("--window", action="store_true", help="a window instead of full screen")
    parser.add_argument(
        "--workdir",
        metavar="DIR",
        type=Path,
        default=None,
        help="the demo's data (city API store, printed PDFs); default: a fresh temporary folder",
    )
    parser.add_argument(
        "--languages",
        metavar="LIST",
        type=language_list,
        default=None,
        help="headless: the languages to play, comma-separated (default: the configured "
        "terminal.languages, " + ",".join(i18n.CODES) + " unless set)",
    )
    parser.add_argument(
        "--gallery",
        metavar="DOCS",
        type=Path,
        default=None,
        help="headless: then write the gallery page DOCS/screens.md and its pictures",
    )
    parser.set_defaults(handler=run)


def language_list(text: str) -> list[str]:
    languages = [part.strip() for part in text.split(",") if part.strip()]
    codes = [found.code for found in i18n.languages.known()]
    unknown = [lang for lang in languages if lang not in codes]
    if unknown or not languages:
        raise argparse.ArgumentTypeError(f"expected some of {','.join(codes)} (found {text!r})")
    return languages


def demo_settings(args: argparse.Namespace, headless: bool) -> Settings:
    # The demo reads a config file only when one is asked for explicitly.
    settings = load_settings(args.config) if args.config else Settings()
    ui = settings.ui
    # The demo's wrong maintenance codes stay in memory: it writes nothing to /var/lib/kiosk.
    updates: dict[str, Any] = {
        "fullscreen": not (headless or args.window),
        "maintenance_lock_file": None,
    }
    if not ui.maintenance_pin_hash:
        from kiosk.maintenance_pin import hash_maintenance_pin

        updates["maintenance_pin_hash"] = hash_maintenance_pin(DEMO_MAINTENANCE_PIN, public=True)
    terminal = settings.terminal
    if not terminal.location:
        terminal = replace(terminal, location="Centre administratif, Anspach 6")
    return replace(settings, ui=replace(ui, **updates), terminal=terminal)


def run(args: argparse.Namespace) -> int:
    from kiosk.display import has_display, start_xvfb

    headless = args.headless or not has_display()
    settings = demo_settings(args, headless)
    setup_logging(verbose=args.verbose, level=settings.logging.level)
    display: VirtualDisplay | None = None
    if headless:
        display = start_xvfb()
        os.environ["DISPLAY"] = display.display
    workdir = args.workdir
    if workdir is None:
        import tempfile

        workdir = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    try:
        from kiosk.kivy_setup import prepare_kivy

        prepare_kivy(fullscreen=settings.ui.fullscreen)
        clock = skipping_clock() if headless else None
        app = demo_app(settings, workdir, clock)
        if not headless:
            print(
                "kiosk demo: card PIN 1234; F5 puts the demo card in, F6 takes it out; "
                f"maintenance: long press top-left, code {DEMO_MAINTENANCE_PIN}"
            )
            from kiosk.stop_signals import StopOnSignals

            stopper = StopOnSignals(app.stop).install()
            try:
                app.run()
            finally:
                app.stop_runtime()
                stopper.finished(app.stopped_cleanly)
            if app.start_error is not None:
                raise app.start_error
            return 0
        code = DEMO_MAINTENANCE_PIN if demo_code_in_use(args) else None
        summary = headless_journeys(
            app, args.out, args.languages, clock=clock, maintenance_code=code
        )
        print(
            f"kiosk demo: {len(summary['screenshots'])} screenshots, PDFs and receipt in {args.out}"
        )
        if summary["ok"] and args.gallery is not None:
            from kiosk.showcase.gallery import write_gallery

            print(f"kiosk demo: gallery in {write_gallery(args.out, args.gallery)}")
        return 0 if summary["ok"] else 1
    finally:
        if display is not None:
            display.stop()


def demo_code_in_use(args: argparse.Namespace) -> bool:
    """Whether the maintenance code is the demo's (no configuration file sets one)."""
    return not args.config or not load_settings(args.config).ui.maintenance_pin_hash


def skipping_clock() -> Any:
    from kiosk.showcase.scenes import SkippingClock

    return SkippingClock()


def demo_app(settings: Settings, workdir: Path, clock: Any = None) -> Any:
    """The demo's app (kiosk.app.KioskApp, after prepare_kivy): the attract screen first,
    then the demo runtime (the city's server a child process, simulated devices) on a thread
    of its own. `clock`: the session's, when not the monotonic clock (the headless demo skips
    time)."""
    from kiosk import startup_gc

    startup_gc.pause()  # KioskApp resumes it after the first frame
    from devices.speech import EspeakSpeaker
    from i18n import voices
    from kiosk.app import KioskApp

    return KioskApp(
        settings,
        factory=lambda: demo_runtime(settings, workdir, paced_printing=True, clock=clock),
        demo=True,
        speaker=EspeakSpeaker(voices()),
    )


def demo_runtime(
    settings: Settings, workdir: Path, *, paced_printing: bool = False, clock: Any = None
) -> Any:
    """The demo's runtime (kiosk.wiring.KioskRuntime). The city's server is started first:
    its start-up overlaps with loading the runtime's modules."""
    from kiosk.wiring.cityserver_process import start_demo_server

    server = start_demo_server(workdir, settings.terminal.id)
    try:
        from kiosk.wiring import build_demo_runtime

        more = {"clock": clock} if clock is not None else {}
        runtime = build_demo_runtime(
            settings, workdir, paced_printing=paced_printing, server=server, **more
        )
    except BaseException:
        server.stop()
        raise
    warn_unless_in_memory(runtime.settings.session.tmpfs_dir)
    return runtime


def warn_unless_in_memory(tmpfs_dir: Path) -> None:
    """The demo's citizen is fictitious: a session folder on a disk is only warned about
    (`kiosk run` refuses to start)."""
    from kiosk.tmpfs_check import not_in_memory

    refusal = not_in_memory(tmpfs_dir)
    if refusal is not None:
        logging.getLogger(__name__).warning("%s (the demo goes on)", refusal)


def headless_journeys(
    app: Any,
    out: Path,
    languages: list[str] | None = None,
    *,
    clock: Any = None,
    maintenance_code: str | None = None,
) -> dict[str, Any]:
    """Play the journey in each language, each of its screens also in high contrast and in
    large text, then (with the session's `clock`, a SkippingClock) the trouble scenes; write
    pictures, PDFs, receipt and summary."""
    from dataclasses import asdict

    from kiosk.showcase.scenes import Picture
    from screens.driver import Driver

    out.mkdir(parents=True, exist_ok=True)
    driver = Driver(app)
    summary: dict[str, Any] = {
        "ok": True,
        "languages": {},
        "screenshots": [],
        "pdfs": [],
        "pictures": [],
    }
    try:
        driver.start()
        runtime = app.runtime
        for lang in languages or app.settings.terminal.languages:
            started = time.monotonic()
            pictures: list[Picture] = []
            parts: dict[str, float] = {}
            try:
                pictures += play_language(
                    driver, runtime, lang, out, clock, maintenance_code, parts
                )
                summary["languages"][lang] = {
                    "ok": True,
                    "seconds": time.monotonic() - started,
                    "parts": parts,
                }
            except AssertionError as exc:
                summary["ok"] = False
                summary["languages"][lang] = {"ok": False, "error": str(exc), "parts": parts}
                driver.screenshot(out / f"{lang}-failed.png")
            summary["screenshots"] += [p.file for p in pictures]
            summary["pictures"] += [asdict(p) for p in pictures]
        demo = runtime.demo
        for pdf in demo.printed_pdfs():
            shutil.copy(pdf, out / pdf.name)
            summary["pdfs"].append(pdf.name)
        receipt = demo.receipt_png()
        if receipt:
            (out / "receipt.png").write_bytes(receipt)
            summary["receipt"] = "receipt.png"
    finally:
        app.stop_runtime()
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def play_language(
    driver: Any,
    runtime: Any,
    lang: str,
    out: Path,
    clock: Any,
    maintenance_code: str | None,
    seconds: dict[str, float],
) -> list[Any]:
    """The journey in `lang`, each screen also in high contrast and in large text; then,
    with a SkippingClock, the trouble scenes. The pictures taken (showcase.scenes.Picture);
    how long each part took goes into `seconds`."""
    from kiosk.showcase.scenes import Picture, Troubles, themed

    pictures: list[Picture] = []

    def variants(shot: Path, screen: str) -> None:
        pictures.append(Picture(shot.name, lang, screen))
        pictures.extend(themed(driver, shot, lang, screen))

    started = time.monotonic()
    journey(driver, runtime, lang, out, on_shot=variants)
    seconds["journey"] = round(time.monotonic() - started, 2)
    if clock is not None:
        troubles = Troubles(
            driver, runtime, clock, lang, i18n.language(lang).endonym, out, maintenance_code
        )
        try:
            pictures += troubles.play()
        finally:
            seconds.update(troubles.seconds)
    return pictures


def journey(
    driver: Any,
    runtime: Any,
    lang: str,
    out: Path,
    *,
    pictures: bool = True,
    on_shot: Callable[[Path, str], None] | None = None,
) -> list[Path]:
    """One citizen, by touches: start, language, card, PIN, document, print, card out.
    `on_shot(picture, screen)` after each picture (more pictures of the same screen)."""
    machine, demo = runtime.machine, runtime.demo
    shots: list[Path] = []

    def shot(screen: str) -> None:
        """A picture of `screen`, named after it; none when the journey has moved on to the
        next screen by the time the picture is drawn (printing can end that fast)."""
        if not pictures:
            return
        taken = driver.screenshot(out / f"{lang}-picture.png")
        if driver.app.shell.manager.current != screen:
            taken.unlink()
            return
        shots.append(taken.replace(out / f"{lang}-{len(shots) + 1:02d}-{screen}.png"))
        if on_shot is not None:
            on_shot(shots[-1], screen)

    def wait(*states: str, timeout: float = 30.0) -> None:
        driver.wait_for(lambda: machine.state.value in states, timeout, f"{states} ({lang})")

    wait("attract")
    shot("attract")
    driver.touch_at(driver.root.width / 2, driver.root.height / 2)
    wait("language")
    shot("language")
    driver.touch(i18n.language(lang).endonym)
    wait("insert_card")
    driver.advance(0.8)  # the animation has the card half-way in
    shot("insert_card")
    demo.insert_card()
    wait("reading", "pin")
    if machine.state.value == "reading":
        shot("reading")
    wait("pin")
    for digit in DEMO_PIN:
        driver.touch(digit)
    shot("pin")
    driver.touch(_tr("OK"))
    wait("checking_pin", "authenticating", "catalogue")
    wait("catalogue")
    shot("catalogue")
    tile = next(w for w in driver.buttons() if getattr(w, "document_id", "") == "residence")
    driver.touch(tile)
    wait("confirm")
    shot("confirm")
    driver.touch(_tr("Print"))
    wait("fetching", "printing", "take_card")
    if machine.state.value != "take_card":
        shot("printing")  # the screen of both fetching and printing
    wait("take_card")
    driver.advance(0.5)  # the receipt picture arrives from the receipt printer
    shot("take_card")
    demo.remove_card()
    wait("thank_you")
    shot("thank_you")
    driver.touch(_tr("Finish"))
    wait("attract")
    return shots


def _tr(text: str) -> str:
    from screens.translate import tr

    return str(tr._(text))
