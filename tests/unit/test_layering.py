"""The packages' dependencies point one way (screens -> session -> devices; kiosk wires them;
devices and session take their words as input, screens take theirs from i18n), the kiosk and
the city's server share only the contract (cityapi) and the language module (i18n), and the
way to the first frame stays light: a module that `kiosk run` loads before the attract screen
is drawn must not pull the device, network or crypto libraries in."""

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
    # The contract: pydantic models over the language list, imported by both sides.
    "cityapi": ("cityapi", "i18n"),
    # The city's server: the contract, the language list, and the eID checks it shares with
    # the kiosk.
    "cityserver": ("cityserver", "cityapi", "i18n", "devices.eid"),
}
OURS = ("devices", "session", "screens", "kiosk", "i18n", "kivy", "cityapi", "cityserver")
# Words and their machinery: the catalogues (i18n) and what reads them (gettext, Babel).
TRANSLATIONS = ("i18n", "gettext", "babel")
# Where screens may take their words from: the one language module, and its Kivy face.
SCREENS_WORDS = ("i18n", "screens.translate")

# The kiosk's side never imports the city's server, not even lazily inside a function.
KIOSK_SIDE = ("kiosk", "screens", "session", "devices")
SERVER = ("cityserver",)


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
        "from kiosk.cityclient.errors import plain_sentence\n"
        "import gettext\n"
        "from babel.numbers import format_currency\n"
        "from i18n import gettext_for\n"
        "from screens.translate import tr\n"
    )
    root = _package(tmp_path, "screens", source)
    assert words_not_from_i18n(root) == [
        "screens/bad.py imports babel.numbers",
        "screens/bad.py imports gettext",
        "screens/bad.py imports kiosk.cityclient.errors",
        "screens/bad.py imports kiosk.i18n",
    ]


def server_imports(folder: Path) -> list[str]:
    """Every import of the city's server in `folder`'s modules, function bodies included."""
    return [
        f"{path.relative_to(folder.parent)} imports {module}"
        for path in sorted(folder.rglob("*.py"))
        for module in sorted(imported_modules(path))
        if _within(module, SERVER)
    ]


@pytest.mark.parametrize("package", KIOSK_SIDE)
def test_the_kiosk_side_never_imports_the_city_server(package: str) -> None:
    wrong = server_imports(REPO / package)
    assert not wrong, "\n".join(wrong)


def test_the_server_check_sees_a_server_import(tmp_path: Path) -> None:
    package = tmp_path / "kiosk"
    (package / "wiring").mkdir(parents=True)
    (package / "wiring" / "bad.py").write_text(
        "def start():\n    from cityserver.serve import serve\n    return serve\n"
    )
    (package / "fine.py").write_text("import cityapi.models\nimport subprocess\n")
    assert server_imports(package) == ["kiosk/wiring/bad.py imports cityserver.serve"]


def test_the_contract_check_sees_a_kiosk_import(tmp_path: Path) -> None:
    module = tmp_path / "models.py"
    module.write_text("from pydantic import BaseModel\nfrom kiosk.i18n import LANGUAGES\n")
    wrong = [m for m in imported_modules(module) if _within(m, OURS)]
    assert wrong == ["kiosk.i18n"] and not _within("kiosk.i18n", ALLOWED["cityapi"])
    assert not _within("kiosk.config", ALLOWED["cityserver"])
    assert _within("devices.eid.trust", ALLOWED["cityserver"])
    assert not _within("devices.printing", ALLOWED["cityserver"])


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
        "kiosk.cityclient.tokens",
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


# What `kiosk demo` loads in its own process: its command and app modules (no window: no
# display here), then its runtime as the demo builds it, with one citizen through to the
# printed certificate and receipt. argv[1] may name a module to import first (the check's
# own test gives one that loads the server).
DEMO_PROCESS = """
import importlib, json, queue, sys, tempfile, time
from pathlib import Path
if len(sys.argv) > 1:
    importlib.import_module(sys.argv[1])
import kiosk.app
from kiosk.commands.demo import demo_runtime
from kiosk.config import Settings
from session import events as ev

posted = queue.SimpleQueue()
runtime = demo_runtime(Settings(), Path(tempfile.mkdtemp(prefix="layering-demo-")))

def until(*states):
    deadline = time.monotonic() + 60
    while runtime.machine.state.value not in states:
        assert time.monotonic() < deadline, f"stuck in {runtime.machine.state.value}"
        try:
            posted.get(timeout=0.02)()
        except queue.Empty:
            pass

try:
    runtime.start(posted.put)
    runtime.dispatch(ev.Touch())
    runtime.dispatch(ev.ChooseLanguage("en"))
    runtime.demo.insert_card()
    until("pin")
    runtime.submit_pin(bytearray(b"1234"))
    until("catalogue")
    runtime.dispatch(ev.ChooseDocument("residence"))
    runtime.dispatch(ev.Confirm())
    until("take_card")
finally:
    runtime.stop()
print(json.dumps(sorted(sys.modules)))
"""

# qrcode is not among them: python-escpos draws the receipt's QR code with it.
SERVER_LIBRARIES = ("cityserver", "fastapi", "starlette", "uvicorn", "fpdf")


DemoProcess = subprocess.Popen[str]


def start_demo_process(first: str | None = None, pythonpath: Path | None = None) -> DemoProcess:
    env = {"KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1", "PATH": "/usr/bin:/bin"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.Popen(
        [sys.executable, "-c", DEMO_PROCESS, *([first] if first else [])],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def modules_loaded(process: DemoProcess) -> set[str]:
    try:
        stdout, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    assert process.returncode == 0, stderr[-3000:]
    return {name.split(".")[0] for name in json.loads(stdout.strip().splitlines()[-1])}


@pytest.fixture(scope="module")
def demo_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, DemoProcess]]:
    """The demo process and the one of the check's own test, started together so that their
    ten seconds or so overlap (each also starts and waits for a city server of its own)."""
    folder = tmp_path_factory.mktemp("layering")
    (folder / "wiring_gone_wrong.py").write_text("import cityserver.serve\n")
    processes = {
        "demo": start_demo_process(),
        "gone wrong": start_demo_process("wiring_gone_wrong", folder),
    }
    yield processes
    for process in processes.values():
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_the_demo_process_never_loads_the_city_server(
    demo_processes: dict[str, DemoProcess],
) -> None:
    loaded = modules_loaded(demo_processes["demo"])
    assert {"kiosk", "session", "devices", "cityapi"} <= loaded  # it did run the demo
    assert not loaded & set(SERVER_LIBRARIES), f"kiosk demo loads {loaded & set(SERVER_LIBRARIES)}"


def test_the_demo_check_sees_the_server_loaded(demo_processes: dict[str, DemoProcess]) -> None:
    loaded = modules_loaded(demo_processes["gone wrong"])
    assert {"cityserver", "fastapi", "uvicorn"} <= loaded & set(SERVER_LIBRARIES)
