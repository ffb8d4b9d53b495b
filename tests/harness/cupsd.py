"""A private cupsd with a cups-pdf queue, so printing tests never touch the system's CUPS.

Everything lives under one temporary directory and cupsd listens only on a unix socket
there (root may administer over it; over TCP lpadmin gets "Unauthorized"). cups-pdf reads
its settings from /etc/cups/cups-pdf-<instance>.conf for the device URI
cups-pdf:/<instance> (no trailing slash), so each harness writes its own instance file
to send PDFs to a directory it knows, and removes the file at teardown.
"""

from __future__ import annotations

import grp
import os
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness.common import require_binary, stop_process, wait_until

PPD = "lsb/usr/cups-pdf/CUPS-PDF_noopt.ppd"
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")


@dataclass
class Cupsd:
    process: subprocess.Popen[bytes]
    root: Path
    socket: Path
    queue: str
    output_dir: Path
    instance_conf: Path

    @property
    def env(self) -> dict[str, str]:
        """Environment for clients (lpadmin, lpstat, pycups) to reach this cupsd."""
        return {**os.environ, "CUPS_SERVER": str(self.socket)}

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=30, check=False
        )

    def connection(self):  # type: ignore[no-untyped-def]
        """A pycups connection to this cupsd (one per thread: pycups is not thread-safe)."""
        import cups

        cups.setServer(str(self.socket))
        return cups.Connection()

    def output_pdfs(self) -> list[Path]:
        return sorted(self.output_dir.rglob("*.pdf"))

    def stop_daemon(self) -> None:
        """cupsd stops (its queue and folders stay, for `start_daemon`)."""
        stop_process(self.process)

    def start_daemon(self, timeout: float = 20.0) -> None:
        """cupsd again, with the same configuration and queue."""
        log = self.root / "log/cupsd.out"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                _command(self.root), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(
            lambda: self.socket.exists() and self.run("lpstat", "-r").returncode == 0,
            timeout,
            "cupsd to answer on its socket again",
        )

    def stop(self) -> None:
        stop_process(self.process)
        self.instance_conf.unlink(missing_ok=True)
        Path(f"/var/log/cups/cups-pdf-{self.queue}_log").unlink(missing_ok=True)
        shutil.rmtree(self.root.parent, ignore_errors=True)


def _command(root: Path) -> list[str]:
    cupsd = require_binary("cupsd", "cups")
    return [cupsd, "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")]


def start_cupsd(timeout: float = 20.0) -> Cupsd:
    require_binary("cupsd", "cups")
    require_binary("lpadmin", "cups-client")
    if not CUPS_PDF_BACKEND.exists():
        pytest.fail(
            "the cups-pdf backend is missing: install 'printer-driver-cups-pdf'", pytrace=False
        )
    if os.geteuid() != 0:
        pytest.fail(
            "the private cupsd needs root (cups-pdf runs as root); run make test as root",
            pytrace=False,
        )
    # Not under pytest's temporary tree: that is private to root, and cupsd's filters run as lp.
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-cupsd-"))
    workdir.chmod(0o755)
    root = workdir / "cups"
    lp_gid = grp.getgrnam("lp").gr_gid
    for name in ("", "spool", "spool/tmp", "cache", "state", "log", "ppd", "ssl"):
        path = root / name
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, 0, lp_gid)
        path.chmod(0o775)
    (root / "spool").chmod(0o710)
    sock = root / "cups.sock"
    (root / "cups-files.conf").write_text(
        "\n".join(
            [
                f"ServerRoot {root}",
                f"RequestRoot {root / 'spool'}",
                f"TempDir {root / 'spool/tmp'}",
                f"CacheDir {root / 'cache'}",
                f"StateDir {root / 'state'}",
                f"AccessLog {root / 'log/access_log'}",
                f"ErrorLog {root / 'log/error_log'}",
                f"PageLog {root / 'log/page_log'}",
                "User lp",
                "Group lp",
                "SystemGroup root",
                "",
            ]
        )
    )
    (root / "cupsd.conf").write_text(
        "\n".join(
            [
                f"Listen {sock}",
                "WebInterface No",
                "Browsing No",
                "LogLevel info",
                "PreserveJobHistory Yes",
                "PreserveJobFiles No",
                "<Location />",
                "  Order allow,deny",
                "  Allow all",
                "</Location>",
                "",
            ]
        )
    )
    # An instance of cups-pdf of our own, writing into a directory of our own.
    queue = "kiosk-test-" + secrets.token_hex(4)
    output_dir = workdir / "pdf-out"
    output_dir.mkdir(mode=0o1777, exist_ok=True)
    output_dir.chmod(0o1777)
    instance = queue.replace("-", "")
    instance_conf = Path(f"/etc/cups/cups-pdf-{instance}.conf")
    instance_conf.write_text(
        f"Out {output_dir}\nAnonDirName {output_dir}\nLabel 0\nTitlePref 1\nUserUMask 0022\n"
    )
    log = root / "log/cupsd.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            _command(root),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    daemon = Cupsd(process, root, sock, queue, output_dir, instance_conf)
    try:

        def ready() -> bool:
            if process.poll() is not None:
                pytest.fail(
                    f"cupsd exited with {process.returncode}; see {root / 'log'}", pytrace=False
                )
            return sock.exists() and daemon.run("lpstat", "-r").returncode == 0

        wait_until(ready, timeout, "cupsd to answer on its socket")
        added = daemon.run(
            "lpadmin",
            "-p",
            queue,
            "-E",
            "-v",
            f"cups-pdf:/{instance}",
            "-m",
            PPD,
            "-o",
            "printer-error-policy=abort-job",
        )
        if added.returncode != 0:
            pytest.fail(
                f"lpadmin could not add the cups-pdf queue: {added.stderr.strip()}", pytrace=False
            )
        daemon.run("lpadmin", "-d", queue)
    except BaseException:
        daemon.stop()
        raise
    return daemon
