"""`python -m devices.eid.emulator`: the card emulator as a process of its own, in a vpcd
reader of a real pcscd; its one-line refusals and exit codes; pulled out and put back by
signals; LOG OFF reported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.card_process import REPO, CardProcess
from tests.harness.common import wait_until
from tests.harness.pcscd import VPCD_READERS, Pcscd, card_present

pytestmark = pytest.mark.integration


def emulator(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devices.eid.emulator", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, "KIOSK_TEST_PKI": ""},
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["--reader", "Some Reader"], "1234\n", "expected 'Virtual PCD 00 NN'"),
        (["--pki", "PKI"], "12\n", "4 to 12 digits"),
        ([], "1234\n", "no test PKI folder"),
        (["--pki", "PKI", "--profile", "canary:x"], "1234\n", "demo or canary:N"),
        (["--pki", "PKI", "--vpcd", "10.0.0.1:35963"], "1234\n", "loopback"),
    ],
)
def test_refusals_are_one_line_with_exit_2(
    tmp_path: Path, args: list[str], stdin: str, says: str
) -> None:
    args = [str(tmp_path / "pki") if a == "PKI" else a for a in args]
    result = emulator(*args, stdin=stdin)
    assert result.returncode == 2, result
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_pin_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    pin = tmp_path / "pin"
    pin.write_text("1234\n")
    pin.chmod(0o640)
    result = emulator("--pki", str(tmp_path / "pki"), "--pin-file", str(pin))
    assert result.returncode == 2 and "chmod 600" in result.stderr


def test_no_vpcd_exits_3(tmp_path: Path) -> None:
    result = emulator("--pki", str(tmp_path / "pki"), "--vpcd", "127.0.0.1:9", stdin="1234\n")
    assert result.returncode == 3, result
    assert "pcscd" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_roots_it_writes_are_the_shared_pki_s(tmp_path: Path) -> None:
    roots = tmp_path / "roots.pem"
    first = emulator("--pki", str(tmp_path / "pki"), "--write-roots", str(roots))
    assert first.returncode == 0, first.stderr
    again = tmp_path / "again.pem"
    emulator("--pki", str(tmp_path / "pki"), "--write-roots", str(again))
    assert roots.read_bytes() == again.read_bytes()
    assert roots.read_bytes().count(b"BEGIN CERTIFICATE") == 2  # the RSA and the EC root


def test_the_register_entry_is_the_profile_s(tmp_path: Path) -> None:
    from cityapi.models import RegisteredCitizen
    from devices.eid.emulator import canary_profile

    entry = tmp_path / "citizen.json"
    result = emulator("--profile", "canary:7", "--write-register", str(entry))
    assert result.returncode == 0, result.stderr
    assert entry.stat().st_mode & 0o077 == 0
    citizen = RegisteredCitizen.model_validate_json(entry.read_text())
    assert citizen.national_number == canary_profile(7).national_number


def test_a_card_in_pcscd_pulled_and_put_back_by_signals(tmp_path: Path, pcscd: Pcscd) -> None:
    from smartcard.System import readers

    card = CardProcess(pcscd, tmp_path / "pki", applet="1.7")
    reader = VPCD_READERS[0]
    try:
        card.insert()
        connection = next(r for r in readers() if str(r) == reader).createConnection()
        connection.connect()
        _data, sw1, sw2 = connection.transmit([0x80, 0xE6, 0x00, 0x00])  # LOG OFF
        assert (sw1, sw2) == (0x90, 0x00)
        card.wait_line("card: log off", 5)
        connection.disconnect()
        os.kill(card.process.pid, signal.SIGUSR1)
        card.wait_line("card: removed", 10)
        wait_until(lambda: not card_present(reader), 10, "the reader to be empty")
        os.kill(card.process.pid, signal.SIGUSR2)
        card.wait_line("card: inserted", 10, at_least=2)
        wait_until(lambda: card_present(reader), 10, "the card back in the reader")
    finally:
        card.stop()
    assert card.process.returncode == 0
    wait_until(lambda: not card_present(reader), 10, "the reader to be empty")
