"""The city's reference server as a child process, for `kiosk demo` (and the tests that run the
demo's runtime).

The kiosk never imports the server (a layering test says so): it runs `python -m cityserver
serve` on 127.0.0.1 with a port of the system's choosing, learns the address from the line the
server prints when it listens, and waits until it answers /v1/status. The enrolment code (for
the demo's terminal id only) is a secret: it goes through a file of mode 0600 in the demo's
private folder, deleted once the server has read it, never on the child's command line. The
citizens of its population register (`register=`) go the same way: citizen data, in a 0600
file deleted once read. The
child stops when `stop()` ends it by its pid, when this process exits (atexit), and, were this
process killed outright, when its stdin pipe closes.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import secrets
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cityapi.models import RegisteredCitizen

if TYPE_CHECKING:
    from devices.eid.emulator.cardfiles import CitizenProfile

READY_PREFIX = "cityserver: serving "  # cityserver.serve.READY_PREFIX
START_TIMEOUT_S = 30.0
# The demo's, within what kiosk.app waits for its start thread (STARTER_JOIN_S).
DEMO_START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0


class CityServerError(RuntimeError):
    """The server did not start; the message ends with what it said on stderr."""


class CityServerProcess:
    """`python -m cityserver serve` on loopback. `start()` returns at once (the kiosk does its
    own setting up meanwhile); `wait_ready()` returns the URL once the server answers."""

    def __init__(
        self,
        data_dir: Path,
        *,
        trust_roots: list[Path] | None = None,
        enrolment_codes: list[tuple[str, str, str]] | None = None,
        admin_token: str | None = None,
        register: Sequence[RegisteredCitizen] = (),
        extra_args: list[str] | None = None,
        start_timeout_s: float = START_TIMEOUT_S,
    ) -> None:
        self.data_dir = data_dir
        self._trust_roots = trust_roots or []
        self._codes = list(enrolment_codes or [])
        self._extra = list(extra_args or [])
        self._start_timeout_s = start_timeout_s
        self._codes_file = data_dir.with_name(f".{data_dir.name}-enrolment-codes")
        self._admin_token = admin_token
        self._admin_file = data_dir.with_name(f".{data_dir.name}-admin-token")
        self._register = list(register)
        self._register_file = data_dir.with_name(f".{data_dir.name}-register.json")
        self._said: deque[str] = deque(maxlen=5)  # its last lines on stderr
        self._process: subprocess.Popen[bytes] | None = None
        self._url: str | None = None
        self._url_seen = threading.Event()
        self._reader: threading.Thread | None = None
        self._err_reader: threading.Thread | None = None

    def __repr__(self) -> str:  # the codes are secrets
        return f"CityServerProcess({self.data_dir}, url={self._url})"

    @property
    def enrolment_codes(self) -> list[tuple[str, str, str]]:
        """(terminal id, location, code) of each code given to the server at start."""
        return list(self._codes)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def returncode(self) -> int | None:
        """Its exit code once it has ended (0: stopped normally), else None."""
        return None if self._process is None else self._process.poll()

    @property
    def url(self) -> str:
        if self._url is None:
            raise CityServerError("the city server is not ready")
        return self._url

    def start(self) -> CityServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "cityserver",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--data",
            str(self.data_dir),
            "--until-stdin-closes",
            *self._extra,
        ]
        for root in self._trust_roots:
            command += ["--trust-roots", str(root)]
        if self._codes:
            lines = "".join(
                f"{terminal} {location} {code}\n" for terminal, location, code in self._codes
            )
            _write_private(self._codes_file, lines)
            command += ["--enrolment-codes", str(self._codes_file)]
        if self._admin_token:
            _write_private(self._admin_file, self._admin_token + "\n")
            command += ["--admin-token-file", str(self._admin_file)]
        if self._register:
            entries = ",\n".join(citizen.model_dump_json() for citizen in self._register)
            _write_private(self._register_file, f"[\n{entries}\n]\n")
            command += ["--register", str(self._register_file)]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        atexit.register(self.stop)
        self._reader = threading.Thread(
            target=self._read_stdout, daemon=True, name="cityserver-out"
        )
        self._reader.start()
        self._err_reader = threading.Thread(
            target=self._pass_stderr, daemon=True, name="cityserver-err"
        )
        self._err_reader.start()
        return self

    def _read_stdout(self) -> None:
        """Find the ready line, then keep the pipe drained until the child ends."""
        assert self._process is not None and self._process.stdout is not None
        for raw in self._process.stdout:
            line = raw.decode(errors="replace").strip()
            if self._url is None and line.startswith(READY_PREFIX):
                self._url = line.removeprefix(READY_PREFIX)
                self._url_seen.set()
        self._url_seen.set()  # the child ended: wait_ready stops waiting

    def _pass_stderr(self) -> None:
        """Its warnings on our stderr, as the server's own would be (never into a file: a
        server's traceback may hold what a request carried)."""
        assert self._process is not None and self._process.stderr is not None
        for raw in self._process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self._said.append(line)
            print(line, file=sys.stderr, flush=True)
        self._process.stderr.close()

    def wait_ready(self) -> str:
        """The URL, once /v1/status answers 200; CityServerError when it does not in time."""
        if self._process is None:
            raise CityServerError("the city server was not started")
        deadline = time.monotonic() + self._start_timeout_s
        try:
            self._url_seen.wait(self._start_timeout_s)
            if self._url is None:
                raise self._failure("did not start")
            while not _answers_status(self._url):
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise self._failure("did not answer")
                time.sleep(0.02)
        except BaseException:
            self.stop()
            raise
        finally:
            # Read before the server printed its address: not needed on disk any more.
            self._codes_file.unlink(missing_ok=True)
            self._admin_file.unlink(missing_ok=True)
            self._register_file.unlink(missing_ok=True)
        return self._url

    def _failure(self, what: str) -> CityServerError:
        code = None
        if self._process is not None:
            # Its stdout may end a moment before its exit status is there.
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self._process.wait(1.0)
        if code is not None and self._err_reader is not None:
            self._err_reader.join(1.0)  # its last words, up to the end of its stderr
        said = f": {self._said[-1]}" if self._said else ""
        ended = f" (exit code {code})" if code is not None else ""
        return CityServerError(f"the city server {what}{ended}{said}")

    def stop(self) -> None:
        """End the child by its pid (SIGTERM, then SIGKILL); harmless when already done."""
        atexit.unregister(self.stop)
        self._codes_file.unlink(missing_ok=True)
        self._admin_file.unlink(missing_ok=True)
        self._register_file.unlink(missing_ok=True)
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT_S)
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if self._reader is not None:
            self._reader.join(STOP_TIMEOUT_S)  # at the end of the child's stdout
        if process.stdout is not None and (self._reader is None or not self._reader.is_alive()):
            process.stdout.close()


def _write_private(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _answers_status(url: str) -> bool:
    host, _, port = url.removeprefix("http://").rpartition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=2)
    try:
        connection.request("GET", "/v1/status")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def registered(profile: CitizenProfile) -> RegisteredCitizen:
    """An emulated card's citizen as the population register knows them (same address)."""
    return RegisteredCitizen(
        national_number=profile.national_number,
        surname=profile.surname,
        first_names=profile.first_names,
        nationality=profile.nationality,
        street_and_number=profile.street_and_number,
        zip_code=profile.zip_code,
        municipality=profile.municipality,
    )


DEMO_LOCATION = "demo"


def start_demo_server(
    workdir: Path, terminal_id: str, *, fault_injection: bool = False
) -> CityServerProcess:
    """The demo's server, started (not yet ready): its data in `workdir`, the test PKI's
    roots trusted (the demo card's), one fresh enrolment code for the demo's terminal id, the
    demo card's citizen in its population register. `fault_injection`: tests that make the
    city API fail on purpose (`kiosk demo` never)."""
    from devices.eid.emulator.cardfiles import demo_profile
    from devices.eid.emulator.testpki import shared_test_pki

    workdir.mkdir(parents=True, exist_ok=True)
    roots = workdir / "test-roots.pem"
    roots.write_bytes(shared_test_pki().root_pem())
    code = secrets.token_urlsafe(18)
    return CityServerProcess(
        workdir / "cityserver",
        trust_roots=[roots],
        enrolment_codes=[(terminal_id, DEMO_LOCATION, code)],
        register=[registered(demo_profile())],
        extra_args=["--fault-injection"] if fault_injection else [],
        start_timeout_s=DEMO_START_TIMEOUT_S,
    ).start()
