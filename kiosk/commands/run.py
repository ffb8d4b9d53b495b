"""`kiosk run`: the kiosk in production, with the real devices from the configuration.

Exit codes (besides those of kiosk.cli: 0 stopped cleanly, 1 internal error):
  0  stopped by SIGTERM, SIGINT or SIGHUP (kiosk.stop_signals): the open session wiped, the
     card logged off, its print jobs purged, within a few seconds. A signal that comes
     before the window is set up ends the process at once (its default action): nothing of
     a citizen is held yet. A request to close the window (Alt-F4) is refused.
  1  also: a stop on a signal that did not finish within 10 s (one line says so; the next
     start wipes what was left)
  2  bad configuration (one line naming the file and key)
  3  the terminal cannot start: not enrolled with the city API, no screen, the session's
     tmpfs directory is not on a tmpfs (statfs; kiosk.tmpfs_check) or cannot be created,
     the process cannot be made non-dumpable, or KIVY_HOME is not safe (not owned by the
     kiosk's user, or writable by group or others)

First of all the process makes itself non-dumpable (kiosk.undumpable): no core dump of a
citizen's data, no other process reading its memory.

A missing device is not a start-up failure: the kiosk starts and shows "out of service"
until the card reader or the printer comes back (that is the session machine's decision).
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from kiosk.config import Settings, load_settings
from kiosk.errors import KioskError
from kiosk.logs import setup_logging

log = logging.getLogger(__name__)

HELP = "run the kiosk with the real devices from the configuration"
EXIT_CANNOT_START = 3


class CannotStart(KioskError):
    exit_code = EXIT_CANNOT_START


def register(sub: Any) -> None:
    parser = sub.add_parser("run", help=HELP, description=HELP)
    parser.add_argument("--window", action="store_true", help="a window instead of full screen")
    parser.set_defaults(handler=run)


def preflight(settings: Settings) -> None:
    """What must hold before anything is shown; raises ConfigError or CannotStart."""
    from kiosk.cityclient.tokens import TokenFile

    if TokenFile(settings.cityapi.token_file).read() is None:
        raise CannotStart(
            f"this terminal is not enrolled (no token in {settings.cityapi.token_file}); "
            "enrol it with `kiosk cityapi enrol` (the code city IT made for it, from stdin)"
        )
    tmpfs = settings.session.tmpfs_dir
    from kiosk.tmpfs_check import not_in_memory

    refusal = not_in_memory(tmpfs)
    if refusal is not None:
        raise CannotStart(refusal)
    try:
        tmpfs.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(tmpfs, os.W_OK | os.X_OK):
            raise PermissionError
    except OSError:
        raise CannotStart(f"session.tmpfs_dir {tmpfs} cannot be created or written") from None
    from kiosk.display import has_display

    if not has_display():
        raise CannotStart("no screen: DISPLAY or WAYLAND_DISPLAY is not set")


def run(args: argparse.Namespace) -> int:
    from kiosk.undumpable import make_undumpable

    try:
        make_undumpable()
    except OSError as exc:
        raise CannotStart(f"cannot make the process non-dumpable ({exc.strerror})") from None
    settings = load_settings(args.config)
    setup_logging(verbose=args.verbose, level=settings.logging.level)
    preflight(settings)
    from kiosk.kivy_setup import prepare_kivy

    prepare_kivy(fullscreen=settings.ui.fullscreen and not args.window)
    app = kiosk_app(settings)
    from kiosk.stop_signals import StopOnSignals

    stopper = StopOnSignals(app.stop).install()
    try:
        app.run()
    finally:
        app.stop_runtime()
        stopper.finished(app.stopped_cleanly)
    if app.start_error is not None:
        raise app.start_error  # a configuration that cannot work: one line, exit 2
    return 0


def kiosk_app(settings: Settings) -> Any:
    """The production app (kiosk.app.KioskApp, after prepare_kivy). It draws the attract
    screen first and builds the runtime from the configuration on a thread of its own; the
    speaker (espeak-ng) is made now, for the screens' speech guide."""
    from kiosk import startup_gc

    startup_gc.pause()  # KioskApp resumes it after the first frame
    from devices.speech import EspeakSpeaker
    from i18n import voices
    from kiosk.app import KioskApp

    def build() -> Any:
        from kiosk.wiring import build_runtime

        warn_of_an_old_maintenance_hash(settings)
        return build_runtime(settings)

    return KioskApp(settings, factory=build, speaker=EspeakSpeaker(voices()))


def warn_of_an_old_maintenance_hash(settings: Settings) -> None:
    """An scrypt hash from before argon2id still opens the maintenance screen; IT is told to
    set the code again (on the start thread: the hashing library is not needed before)."""
    from kiosk.maintenance_pin import needs_new_hash

    if needs_new_hash(settings.ui.maintenance_pin_hash):
        log.warning(
            "ui.maintenance_pin_hash is an old, weaker hash: set the code again with "
            "`kiosk maintenance code --write`"
        )
