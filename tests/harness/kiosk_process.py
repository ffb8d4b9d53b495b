"""A real `kiosk run --window` process for the drills, with everything around it as city IT
would set it up: the reference city API (enrolled with `kiosk cityapi enrol`, the code on
stdin), pcscd with the card emulator as a process of its own, the private cupsd's cups-pdf
queue, a receipt printer on loopback TCP, and the session's files on a tmpfs (/dev/shm).

The test plays the citizen through the drill agent (tests/harness/drill_agent.py) riding
inside the kiosk process: it reads what the screen says and touches it. Signals (SIGTERM,
SIGKILL) go to the kiosk process itself.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.harness import drill_agent
from tests.harness.card_process import CardProcess
from tests.harness.cityserver import CityServer, enrolment_code, start_cityserver
from tests.harness.common import wait_until
from tests.harness.cupsd import Cupsd
from tests.harness.escpos_printer import FakeEscposPrinter
from tests.harness.pcscd import VPCD_READERS, Pcscd

REPO = Path(__file__).resolve().parents[2]
TERMINAL_ID = "drill-terminal"
AGENT_BOOT = (
    "import sys, tests.harness.drill_agent as a; a.install(sys.argv.pop(1)); "
    "from kiosk.cli import entry; entry()"
)
START_TIMEOUT_S = 60.0


def tmpfs_workdir(prefix: str) -> Path:
    """A private folder on a tmpfs (/dev/shm), as `kiosk run` wants for session files."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        raise AssertionError("/dev/shm is missing: the drills need a tmpfs for session files")
    return Path(tempfile.mkdtemp(prefix=prefix, dir=shm))


@dataclass
class Rig:
    """The kiosk's surroundings, shared by every drill of a run."""

    workdir: Path
    pcscd: Pcscd
    cupsd: Cupsd
    server: CityServer
    card: CardProcess
    printer: FakeEscposPrinter
    config: Path
    tmpfs_dir: Path
    roots: Path
    server_port: int = 0
    kiosk: KioskProcess | None = None
    display: str = ""
    log_dir: Path | None = None  # where the kiosks' logs go (default: workdir)
    logs: list[Path] = field(default_factory=list)

    # -- the city API -------------------------------------------------------------------------

    def kill_server(self) -> None:
        """The server dies at once (SIGKILL), as a crashed process would."""
        process = self.server.process._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(5)
        self.server.stop()

    def start_server(self) -> None:
        """The server again, on the same port, database and secrets key (the kiosk's URL
        stays right, and answers kept for retries can still be opened)."""
        self.server = start_cityserver(
            self.workdir / "cityapi",
            [self.roots],
            "--secrets-key-file",
            str(secrets_key(self.workdir)),
            "--port",
            str(self.server_port),
        )

    def documents(self) -> list[dict[str, Any]]:
        """This terminal's documents as city IT sees them (GET /v1/admin/documents)."""
        answer = requests.get(
            f"{self.server.url}/v1/admin/documents",
            params={"terminal_id": TERMINAL_ID},
            headers=self.server.admin_headers(),
            timeout=5,
        )
        assert answer.status_code == 200, (
            f"GET /v1/admin/documents answered {answer.status_code}: {answer.text[:200]}"
        )
        found: list[dict[str, Any]] = answer.json()["documents"]
        return found

    def stop(self) -> None:
        if self.kiosk is not None:
            self.kiosk.stop()
        self.card.stop()
        self.printer.stop()
        self.server.stop()
        shutil.rmtree(self.tmpfs_dir.parent, ignore_errors=True)


def make_rig(workdir: Path, pcscd: Pcscd, cupsd: Cupsd, *, read_timeout: float = 3.0) -> Rig:
    """Start the server, the emulator, the receipt printer; write the configuration; enrol."""
    # The shared test PKI's folder (KIOSK_TEST_PKI for the emulator's --pki): the card is
    # signed by it, and the server (--trust-roots) and the kiosk (eid.trust_roots) trust the
    # roots the emulator writes from it.
    pki_dir = workdir / "test-pki"
    roots = workdir / "emulator-roots.pem"
    emulator = [sys.executable, "-m", "devices.eid.emulator", "--pki", str(pki_dir)]
    made = subprocess.run(
        [*emulator, "--write-roots", str(roots)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    server = start_cityserver(
        workdir / "cityapi", [roots], "--secrets-key-file", str(secrets_key(workdir))
    )
    port = int(server.url.rsplit(":", 1)[1])
    card = CardProcess(pcscd, pki_dir, applet="1.8")
    printer = FakeEscposPrinter().start()
    tmpfs = tmpfs_workdir("kiosk-drills-") / "session"
    config = workdir / "kiosk.toml"
    config.write_text(
        configuration(
            workdir, server.url, roots, cupsd, printer.uri, tmpfs, read_timeout=read_timeout
        )
    )
    rig = Rig(workdir, pcscd, cupsd, server, card, printer, config, tmpfs, roots, port)
    enrol_terminal(rig)
    return rig


def secrets_key(workdir: Path) -> Path:
    """The server's secrets key (32 random bytes, base64, mode 0600), made once."""
    path = workdir / "cityserver-secrets.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    return path


def configuration(
    workdir: Path,
    url: str,
    roots: Path,
    cupsd: Cupsd,
    receipt_uri: str,
    tmpfs: Path,
    *,
    read_timeout: float,
) -> str:
    """kiosk.toml for a drill: short timeouts so that each fault shows within seconds."""
    return f"""\
[terminal]
id = "{TERMINAL_ID}"
location = "Drill hall"

[cityapi]
url = "{url}"
token_file = "{workdir / "token"}"
catalogue_cache = "{workdir / "catalogue.json"}"
connect_timeout = 1.0
read_timeout = {read_timeout}
retries = 0

[eid]
reader = "{VPCD_READERS[0]}"
trust_roots = ["{roots}"]

[printer]
server = "{cupsd.socket}"
queue = "{cupsd.queue}"
job_timeout = 20.0

[receipt]
uri = "{receipt_uri}"
timeout = 2.0

[session]
thank_you_timeout = 3.0  # long enough to be read by a drill polling it
tmpfs_dir = "{tmpfs}"

[ui]
fullscreen = false
maintenance_lock_file = "{workdir / "maintenance-lock.json"}"

[logging]
level = "info"
"""


def enrol_terminal(rig: Rig) -> None:
    """`kiosk cityapi enrol` with the code city IT made, typed on stdin as a newcomer would."""
    code = enrolment_code(rig.server, TERMINAL_ID)
    enrolled = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(rig.config), "cityapi", "enrol"],
        input=code + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    assert enrolled.returncode == 0, enrolled.stderr
    assert (rig.workdir / "token").stat().st_mode & 0o077 == 0


class KioskProcess:
    """`kiosk run --window` with the drill agent inside."""

    def __init__(self, rig: Rig, display: str, name: str) -> None:
        self.rig = rig
        self.socket_path = rig.workdir / f"agent-{name}.sock"
        self.log_path = (rig.log_dir or rig.workdir) / f"kiosk-{name}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        rig.logs.append(self.log_path)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    AGENT_BOOT,
                    str(self.socket_path),
                    "--config",
                    str(rig.config),
                    "run",
                    "--window",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env={**os.environ, "DISPLAY": display, "PYTHONPATH": str(REPO)},
            )
        rig.kiosk = self
        self.wait(lambda s: s.get("ready") is True, START_TIMEOUT_S, "the kiosk to start")

    # -- talking to the agent -------------------------------------------------------------

    def ask(self, request: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        return drill_agent.ask(self.socket_path, request, timeout)

    def screen(self) -> dict[str, Any]:
        if self.process.poll() is not None:
            raise AssertionError(
                f"the kiosk ended (exit {self.process.returncode}): {self.log_tail()}"
            )
        try:
            return self.ask({"do": "screen"})
        except (OSError, ValueError):
            return {"running": False}

    def wait(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float, what: str
    ) -> dict[str, Any]:
        """Poll the screen until `predicate` holds; fail naming what the screen showed."""
        deadline = time.monotonic() + timeout
        seen: dict[str, Any] = {}
        while time.monotonic() < deadline:
            seen = self.screen()
            if seen.get("running") and predicate(seen):
                return seen
            time.sleep(0.1)
        shown = {k: seen.get(k) for k in ("state", "shown", "problem", "texts")}
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; saw {shown}")

    def wait_state(self, *states: str, timeout: float = 20.0) -> dict[str, Any]:
        return self.wait(lambda s: s.get("state") in states, timeout, f"state {states}")

    def touch(self, target: str) -> None:
        answer = self.ask({"do": "touch", "target": target})
        if "error" in answer:
            texts = self.screen().get("texts")
            raise AssertionError(f"touch {target!r}: {answer['error']}; the screen says {texts}")

    def shot(self, path: Path) -> Path:
        answer = self.ask({"do": "screenshot", "path": str(path)}, timeout=20)
        assert "error" not in answer, answer
        return path

    # -- the process ----------------------------------------------------------------------

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 15) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def terminate(self, timeout: float = 10.0) -> tuple[int | None, float]:
        """SIGTERM; (exit code or None if still alive after `timeout`, seconds it took)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code: int | None = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            code = None
        return code, time.monotonic() - started

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # stops kiosk run today (SIGTERM: issue 16)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.socket_path.unlink(missing_ok=True)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    wait_until(predicate, timeout, what, interval=0.1)
