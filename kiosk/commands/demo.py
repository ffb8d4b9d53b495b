"""`kiosk demo`: the kiosk on embedded defaults, with no hardware and no configuration.

With no display, it starts a private Xvfb, photographs the first screen, says where the
picture went and exits 0, so `make demo` is useful on a headless server too.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from kiosk.config import Settings, load_settings
from kiosk.display import VirtualDisplay, has_display, start_xvfb

HELP = "run the kiosk on embedded defaults with simulated devices (no hardware needed)"


def register(sub: Any) -> None:
    parser = sub.add_parser("demo", help=HELP, description=HELP)
    parser.add_argument(
        "--headless",
        action="store_true",
        help="run under a private Xvfb even when a display exists, and exit after the screenshot",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("out/demo"),
        help="where headless runs write their screenshots (default: out/demo)",
    )
    parser.add_argument("--window", action="store_true", help="a window instead of full screen")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # The demo reads a config file only when one is asked for explicitly.
    settings = load_settings(args.config) if args.config else Settings()
    headless = args.headless or not has_display()
    display: VirtualDisplay | None = None
    if headless:
        display = start_xvfb()
        os.environ["DISPLAY"] = display.display
    try:
        from kiosk.kivy_setup import prepare_kivy

        prepare_kivy(fullscreen=not (headless or args.window))
        from kiosk.app import KioskApp

        screenshot = (args.out / "attract.png") if headless else None
        app = KioskApp(settings, screenshot=screenshot)
        app.run()
        if headless:
            if app.screenshot_taken is None:
                print("kiosk demo: the first screen was not drawn; run with -v for details")
                return 1
            print(f"No display here: ran under Xvfb; first screen saved to {app.screenshot_taken}")
        return 0
    finally:
        if display is not None:
            display.stop()
