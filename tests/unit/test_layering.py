"""The packages' dependencies point one way (screens -> session -> devices; kiosk wires them;
devices and session take their words as input, screens take theirs from i18n),
and the way to the first frame stays light: a module that `kiosk run` loads before the attract
screen is drawn must not pull the device, network or crypto libraries in."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# What each package may import from this repository and from Kivy.
ALLOWED: dict[str, tuple[str, ...]] = {
    "devices": ("devices",),
    "session": ("session", "devices"),
    "screens": ("screens", "session", "kivy", "i18n"),
    "i18n": ("i18n",),
}
OURS = ("devices", "session", "screens", "kiosk", "i18n", "kivy")
# Words and their machinery: the catalogues (i18n) and what reads them (gettext, Babel).
TRANSLATIONS = ("i18n", "gettext", "babel")
# Where screens may take their words from: the one language module, and its Kivy face.
SCREENS_WORDS = ("i18n", "screens.translate")


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


def imports_of(package: str, root: Path = REPO) -> Iterator[tuple[str, str]]:
    """(file, module) for every import in a package's modules."""
    for path in sorted((root / package).rglob("*.py")):
        for module in sorted(imported_modules(path)):
            yield path.relative_to(root).as_posix(), module


def outside_its_layers(package: str, root: Path = REPO) -> list[str]:
    return [
        f"{where} imports {module}"
        for where, module in imports_of(package, root)
        if _within(module, OURS) and not _within(module, ALLOWED[package])
    ]


def translations_or_kivy(package: str, root: Path = REPO) -> list[str]:
    """Imports of Kivy or of words: devices and session take their words as input."""
    return [
        f"{where} imports {module}"
        for where, module in imports_of(package, root)
        if _within(module, ("kivy", *TRANSLATIONS))
    ]


def words_not_from_i18n(root: Path = REPO) -> list[str]:
    """Imports by screens of translations from anywhere but i18n and screens.translate, or of
    anything under kiosk (its old home, kiosk.i18n, included)."""
    return [
        f"{where} imports {module}"
        for where, module in imports_of("screens", root)
        if _within(module, ("kiosk",))
        or (_within(module, TRANSLATIONS) and not _within(module, SCREENS_WORDS))
    ]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = outside_its_layers(package)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", ["devices", "session"])
def test_devices_and_session_import_no_kivy_and_no_translations(package: str) -> None:
    wrong = translations_or_kivy(package)
    assert not wrong, "\n".join(wrong)


def test_screens_take_their_words_only_from_i18n() -> None:
    wrong = words_not_from_i18n()
    assert not wrong, "\n".join(wrong)


# -- each check sees what it forbids -----------------------------------------------------------


def _package(root: Path, name: str, source: str) -> Path:
    (root / name).mkdir()
    (root / name / "bad.py").write_text(source)
    return root


def test_the_layer_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from kiosk.config import Settings\nimport kivy.uix.label\n")
    found = imported_modules(module)
    assert not _within("kiosk.config", ALLOWED["screens"])
    assert {"kiosk.config", "kivy.uix.label"} <= found
    root = _package(tmp_path, "i18n", "from kivy.clock import Clock\nimport screens.base\n")
    assert outside_its_layers("i18n", root) == [
        "i18n/bad.py imports kivy.clock",
        "i18n/bad.py imports screens.base",
    ]


@pytest.mark.parametrize("package", ["devices", "session"])
def test_the_no_words_check_sees_kivy_and_translations(package: str, tmp_path: Path) -> None:
    source = "import gettext\nimport i18n\nfrom i18n.languages import CODES\nimport kivy\n"
    root = _package(tmp_path, package, source)
    assert translations_or_kivy(package, root) == [
        f"{package}/bad.py imports gettext",
        f"{package}/bad.py imports i18n",
        f"{package}/bad.py imports i18n.languages",
        f"{package}/bad.py imports kivy",
    ]
    assert outside_its_layers(package, root) == [
        f"{package}/bad.py imports i18n",
        f"{package}/bad.py imports i18n.languages",
        f"{package}/bad.py imports kivy",
    ]


def test_the_screens_words_check_sees_words_from_elsewhere(tmp_path: Path) -> None:
    source = (
        "from kiosk.i18n import gettext_for\n"
        "from kiosk.cityapi.errors import plain_sentence\n"
        "import gettext\n"
        "from babel.numbers import format_currency\n"
        "from i18n import gettext_for\n"
        "from screens.translate import tr\n"
    )
    root = _package(tmp_path, "screens", source)
    assert words_not_from_i18n(root) == [
        "screens/bad.py imports babel.numbers",
        "screens/bad.py imports gettext",
        "screens/bad.py imports kiosk.cityapi.errors",
        "screens/bad.py imports kiosk.i18n",
    ]


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
