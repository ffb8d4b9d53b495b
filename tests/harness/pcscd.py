"""pcscd with the vsmartcard vpcd driver, as the eID tests' real PC/SC stack.

pcscd's socket is fixed at /run/pcscd/pcscd.comm (one pcscd per mount namespace), so a
running pcscd that already lists the vpcd readers is reused and left alone. Otherwise we
start one inside a private network namespace that has only loopback, because the vpcd
driver listens on all interfaces; clients still reach it through its unix socket, and the
card emulator joins that namespace just long enough to open its TCP connection.
"""

from __future__ import annotations

import ctypes
import os
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness.common import require_binary, stop_process, wait_until

VPCD_READERS = ("Virtual PCD 00 00", "Virtual PCD 00 01")
VPCD_PORTS = {VPCD_READERS[0]: 35963, VPCD_READERS[1]: 35964}
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
_CLONE_NEWNET = 0x40000000


def reader_state(reader: str) -> int:
    """The reader's SCARD_STATE_* flags as pcscd last saw them (0 when unknown)."""
    from smartcard import scard

    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        return 0
    try:
        result, states = scard.SCardGetStatusChange(
            context, 0, [(reader, scard.SCARD_STATE_UNAWARE)]
        )
        return int(states[0][1]) if result == scard.SCARD_S_SUCCESS else 0
    finally:
        scard.SCardReleaseContext(context)


def card_present(reader: str) -> bool:
    from smartcard import scard

    return bool(reader_state(reader) & scard.SCARD_STATE_PRESENT)


def list_readers() -> list[str]:
    """Reader names pcscd reports through pyscard; empty when pcscd is not there."""
    from smartcard.System import readers

    try:
        return [str(r) for r in readers()]
    except Exception:  # no pcscd, or no service: both mean "no readers yet"
        return []


@dataclass
class Pcscd:
    """A pcscd that lists the vpcd readers; `process` is set only when we started it."""

    process: subprocess.Popen[bytes] | None = None
    netns_pid: int | None = None
    log: Path | None = None
    _holder: subprocess.Popen[bytes] | None = None

    @property
    def readers(self) -> list[str]:
        return list_readers()

    def connect_emulator(
        self, reader: str = VPCD_READERS[0], timeout: float = 5.0
    ) -> socket.socket:
        """A TCP socket connected to the vpcd port of `reader`, opened inside pcscd's namespace."""
        port = VPCD_PORTS[reader]
        if self.netns_pid is None:
            return socket.create_connection(("127.0.0.1", port), timeout=timeout)
        result: dict[str, socket.socket | BaseException] = {}

        def open_inside() -> None:
            # setns() moves only this thread; the socket keeps its namespace afterwards.
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                with open(f"/proc/{self.netns_pid}/ns/net", "rb") as ns:
                    if libc.setns(ns.fileno(), _CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), "setns into pcscd's network namespace")
                result["sock"] = socket.create_connection(("127.0.0.1", port), timeout=timeout)
            except BaseException as exc:
                result["error"] = exc

        worker = threading.Thread(target=open_inside, name="vpcd-netns")
        worker.start()
        worker.join(timeout + 1)
        sock = result.get("sock")
        if isinstance(sock, socket.socket):
            return sock
        error = result.get("error")
        raise error if isinstance(error, BaseException) else TimeoutError("vpcd connect")

    def launch(self, timeout: float = 15.0) -> None:
        """Start pcscd (as root: in a network namespace with only loopback) and wait for vpcd.

        The namespace is held by a process of its own (`netns_pid`), so it outlives a pcscd
        restart: a card emulator in another process (joined with nsenter) reconnects to the
        new pcscd as a card left in its reader would."""
        binary = require_binary("pcscd", "pcscd")
        command = [binary, "--foreground", "--info"]
        netns = os.geteuid() == 0
        if netns:
            require_binary("nsenter", "util-linux")
            holder = self._namespace_holder()
            command = ["nsenter", f"--net=/proc/{holder}/ns/net", *command]
        assert self.log is not None
        with self.log.open("ab") as out:
            # nsenter execs pcscd in place, so the pid we get is pcscd's own.
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.process = process

        def ready() -> bool:
            if process.poll() is not None:
                pytest.fail(
                    f"pcscd exited with {process.returncode}; see {self.log}", pytrace=False
                )
            return all(r in list_readers() for r in VPCD_READERS)

        try:
            wait_until(ready, timeout, "pcscd to list the vpcd readers")
        except BaseException:
            self.stop()
            raise

    def _namespace_holder(self) -> int:
        """The pid of the process holding our private network namespace (started once)."""
        if self._holder is not None and self._holder.poll() is None:
            return self._holder.pid
        require_binary("unshare", "util-linux")
        require_binary("ip", "iproute2")
        self._holder = subprocess.Popen(
            ["unshare", "--net", "sh", "-c", "ip link set lo up && exec sleep infinity"],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        holder = self._holder
        wait_until(
            lambda: _lo_up(holder.pid) or holder.poll() is not None, 5, "the network namespace"
        )
        if holder.poll() is not None:
            pytest.fail("could not make a private network namespace for pcscd", pytrace=False)
        self.netns_pid = holder.pid
        return holder.pid

    def restart(self) -> None:
        """Stop and start our pcscd (a reused pcscd belongs to someone else: fail); its
        network namespace stays, with the emulated cards' connections to make again."""
        if self.process is None:
            pytest.fail(
                "this test restarts pcscd, which only works with the harness's own pcscd: "
                "stop the system pcscd first",
                pytrace=False,
            )
        self.stop_daemon()
        self.launch()

    def stop_daemon(self) -> None:
        """Stop pcscd only (its namespace stays for the next launch)."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def stop(self) -> None:
        self.stop_daemon()
        if self._holder is not None:
            stop_process(self._holder)
            self._holder = None
        self.netns_pid = None


def _lo_up(pid: int) -> bool:
    """Whether loopback is up in the network namespace of `pid` (its own view of /proc)."""
    try:
        flags = Path(f"/proc/{pid}/net/dev").read_text()
    except OSError:
        return False
    # "ip link set lo up" is done once sh has exec'd sleep.
    return "lo:" in flags and Path(f"/proc/{pid}/comm").read_text().strip() == "sleep"


def start_pcscd(workdir: Path, timeout: float = 15.0) -> Pcscd:
    """Reuse a pcscd that lists the vpcd readers, or start our own in a private network."""
    require_binary("pcscd", "pcscd")
    if not VPCD_DRIVER.exists():
        pytest.fail(
            f"{VPCD_DRIVER} is missing: install the Debian package 'vsmartcard-vpcd'", pytrace=False
        )
    if all(r in list_readers() for r in VPCD_READERS):
        return Pcscd()
    if Path("/run/pcscd/pcscd.comm").exists() and _pcscd_alive():
        pytest.fail(
            "a pcscd is running without the vpcd readers: "
            "install 'vsmartcard-vpcd' and restart pcscd",
            pytrace=False,
        )
    daemon = Pcscd(log=workdir / "pcscd.log")
    daemon.launch(timeout)
    return daemon


def _pcscd_alive() -> bool:
    with os.scandir("/proc") as entries:
        for entry in entries:
            if entry.name.isdigit():
                try:
                    if Path(entry.path, "comm").read_text().strip() == "pcscd":
                        return True
                except OSError:
                    continue
    return False
