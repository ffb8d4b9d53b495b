"""The packages' dependencies point one way (screens -> session -> devices; kiosk wires them),
and the way to the first frame stays light: a module that `kiosk run` loads before the attract
screen is drawn must not pull the device, network or crypto libraries in."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# What each package may import from this repository and from Kivy.
ALLOWED: dict[str, tuple[str, ...]] = {
    "devices": ("devices",),
    "session": ("session", "devices"),
    "screens": ("screens", "session", "kivy", "i18n"),
}
OURS = ("devices", "session", "screens", "kiosk", "i18n", "kivy")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = []
    for path in sorted((REPO / package).rglob("*.py")):
        for module in imported_modules(path):
            if _within(module, OURS) and not _within(module, ALLOWED[package]):
                wrong.append(f"{path.relative_to(REPO)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_layer_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from kiosk.config import Settings\nimport kivy.uix.label\n")
    found = imported_modules(module)
    assert not _within("kiosk.config", ALLOWED["screens"])
    assert {"kiosk.config", "kivy.uix.label"} <= found


HEAVY = ("smartcard", "cryptography", "requests", "cups", "escpos", "fastapi", "uvicorn", "fpdf")


def _packages_loaded_by(module: str) -> set[str]:
    """Top-level packages in sys.modules after importing `module` in a fresh interpreter
    (no display: Kivy's window is not created)."""
    return {name.split(".")[0] for name in _modules_loaded_by(module)}


def _modules_loaded_by(module: str) -> set[str]:
    code = f"import json, sys\nimport {module}\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "PATH": "/usr/bin:/bin"},
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "module",
    [
        "kiosk.commands.run",  # then load_settings and preflight (the token file)
        "kiosk.cityapi.tokens",
        "kiosk.runtime",
        "session.machine",
        "screens.registry",
    ],
)
def test_what_comes_before_the_first_frame_loads_no_heavy_library(module: str) -> None:
    loaded = _packages_loaded_by(module)
    assert not loaded & set(HEAVY), f"{module} loads {sorted(loaded & set(HEAVY))}"


@pytest.mark.parametrize("module", ["kiosk.app", "screens.driver", "kiosk.commands.demo"])
def test_the_kiosk_process_does_not_load_pytest(module: str) -> None:
    # The driver runs inside `kiosk demo --headless` and the bench: a test framework there
    # would be 8 MB of the kiosk's measured memory that a terminal never has.
    loaded = _packages_loaded_by(module)
    assert not loaded & {"pytest", "_pytest"}, f"{module} loads pytest"


# Loaded by the start thread with the runtime, or by the screens that need them, once the
# attract screen is drawn: pydantic (the city API's models), the session's events and effects,
# the widgets of later screens.
AFTER_FIRST_FRAME = (
    "pydantic",
    "kiosk.maintenance_pin",
    "hashlib",  # OpenSSL, about 2 ms
    "session.events",
    "session.effects",
    "session.machine",
    "kiosk.runtime",
    "screens.widgets.pinpad",
    "screens.widgets.tile",
    "screens.widgets.progress",
    "screens.widgets.overlay",
    "devices.speech.recording",
    "wave",
)


@pytest.mark.parametrize("module", ["kiosk.commands.run", "kiosk.app", "screens.attract"])
def test_the_attract_screen_does_not_wait_for_the_session(module: str) -> None:
    loaded = _modules_loaded_by(module)
    early = sorted(name for name in loaded if _within(name, AFTER_FIRST_FRAME))
    assert not early, f"{module} loads {early} before the first frame"
