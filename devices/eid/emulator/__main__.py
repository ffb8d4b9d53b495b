"""`python -m devices.eid.emulator`: one emulated BELPIC card in a vpcd reader of a real pcscd,
as a process of its own, for a terminal without a card (tests, drills, a newcomer's desk).

    KIOSK_TEST_PKI=/var/tmp/kiosk-test-pki \\
    python -m devices.eid.emulator --applet 1.8 --reader "Virtual PCD 00 00" --pin-file pin

The card is signed by the shared test PKI in the folder `--pki` (default $KIOSK_TEST_PKI; made
and saved there when the folder holds none). The kiosk (`eid.trust_roots`) and the reference
server (`cityserver serve --trust-roots`) must trust that PKI's roots: `--write-roots FILE`
writes them (PEM) and exits. The city makes documents only for citizens of its population
register: `--write-register FILE` writes the profile's entry (JSON) for
`kiosk cityapi register add FILE`, and exits.

The PIN is never on the command line: `--pin-file FILE` (mode 0600) or the first line of stdin.
`--profile demo` is the demo citizen (the reference server's register knows them), `canary:N`
the N-th canary citizen.

Pulling the card out and putting it back, while it runs:
  SIGUSR1 or the line "remove" on stdin   the card leaves the reader
  SIGUSR2 or the line "insert" on stdin   the card goes back in (PIN tries kept)
  the line "remove-after N"               the card leaves after N more commands (pulled out
                                          in the middle of a reading: N=5 is in the reading)
  SIGTERM, SIGINT or the line "quit"       the card leaves, the process ends (exit 0)
With `--until-stdin-closes` the end of stdin ends it too (a parent that dies takes it along).

What happens is written to stdout, one line each, for scripts and tests to follow:
  "emulator: ready <reader port>", "card: inserted", "card: removed", "card: log off",
  "card: pin verified", "card: pin wrong".

Exit codes: 0 stopped; 1 internal error; 2 usage (bad option, no PIN, a PIN file readable by
others, no test PKI folder); 3 the vpcd reader could not be reached (is pcscd running with
the vsmartcard-vpcd driver?).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import queue
import signal
import stat
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from devices.eid.emulator.cardfiles import CitizenProfile
    from devices.eid.emulator.testpki import TestPki
    from devices.eid.emulator.vpcd import VirtualCard

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_NO_READER = 0, 1, 2, 3
DEFAULT_READER = "Virtual PCD 00 00"
VPCD_BASE_PORT = 35963  # "Virtual PCD 00 00"; "00 01" is the next port
INSERT_TIMEOUT_S = 10.0

log = logging.getLogger("devices.eid.emulator")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"emulator: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m devices.eid.emulator",
        description="Serve one emulated Belgian eID card in a vpcd reader of pcscd.",
        epilog=__doc__.split("\n\n", 2)[2] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--applet", choices=("1.7", "1.8"), default="1.8", help="card applet")
    parser.add_argument(
        "--reader", default=DEFAULT_READER, help=f"vpcd reader name ({DEFAULT_READER!r})"
    )
    parser.add_argument(
        "--vpcd", metavar="HOST:PORT", help="vpcd's address instead (loopback only)"
    )
    parser.add_argument(
        "--profile", default="demo", help="demo (the demo citizen) or canary:N (0..24999)"
    )
    parser.add_argument("--pin-file", type=Path, metavar="FILE", help="the PIN, mode 0600")
    parser.add_argument(
        "--pki", type=Path, metavar="DIR", help="shared test PKI folder ($KIOSK_TEST_PKI)"
    )
    parser.add_argument(
        "--write-roots", type=Path, metavar="FILE", help="write the PKI's roots (PEM) and exit"
    )
    parser.add_argument(
        "--write-register",
        type=Path,
        metavar="FILE",
        help="write the profile's population-register entry (JSON, mode 0600) and exit",
    )
    parser.add_argument(
        "--removed", action="store_true", help="start with the card out of the reader"
    )
    parser.add_argument(
        "--until-stdin-closes", action="store_true", help="stop when stdin reaches its end"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    return parser


def vpcd_address(reader: str, vpcd: str | None) -> tuple[str, int]:
    """(host, port) of the vpcd slot: `--vpcd` when given, else from the reader's name."""
    if vpcd:
        host, _, port = vpcd.rpartition(":")
        if not host or not port.isdigit():
            raise UsageError(f"--vpcd {vpcd!r}: expected HOST:PORT")
        return host, int(port)
    prefix = "Virtual PCD 00 "
    slot = reader.removeprefix(prefix)
    if not reader.startswith(prefix) or len(slot) != 2 or not slot.isdigit():
        raise UsageError(f"--reader {reader!r}: expected 'Virtual PCD 00 NN' (or give --vpcd)")
    return "127.0.0.1", VPCD_BASE_PORT + int(slot)


def read_pin(pin_file: Path | None) -> str:
    if pin_file is not None:
        try:
            mode = pin_file.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise UsageError(f"{pin_file}: readable by others; chmod 600 it")
            text = pin_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{pin_file}: {exc.strerror}") from None
    elif sys.stdin.isatty():
        text = getpass.getpass("PIN of the emulated card: ")
    else:
        text = sys.stdin.readline()
    pin = text.strip()
    if not (4 <= len(pin) <= 12 and pin.isdigit()):
        raise UsageError("the PIN must be 4 to 12 digits")
    return pin


def profile_for(name: str) -> CitizenProfile:
    from devices.eid.emulator.cardfiles import canary_profile, demo_profile

    if name == "demo":
        return demo_profile()
    kind, _, number = name.partition(":")
    if kind == "canary" and number.isdigit() and 0 <= int(number) < 25_000:
        return canary_profile(int(number))
    raise UsageError(f"--profile {name!r}: expected demo or canary:N (0..24999)")


def test_pki(folder: Path | None) -> TestPki:
    from devices.eid.emulator.testpki import SHARED_PKI_ENV, shared_test_pki

    if folder is not None:
        os.environ[SHARED_PKI_ENV] = str(folder)
    if not os.environ.get(SHARED_PKI_ENV):
        raise UsageError(
            f"no test PKI folder: give --pki DIR or set {SHARED_PKI_ENV} (the kiosk and the "
            "city server must trust the same roots)"
        )
    return shared_test_pki()


def write_register_entry(profile: CitizenProfile, path: Path) -> None:
    """The emulated citizen as the city's population register records them, for
    `kiosk cityapi register add FILE` (or `cityserver serve --register` in a JSON list): the
    city makes documents only for citizens in its register. Test citizens only."""
    entry = {
        "national_number": profile.national_number,
        "surname": profile.surname,
        "first_names": profile.first_names,
        "nationality": profile.nationality,
        "street_and_number": profile.street_and_number,
        "zip_code": profile.zip_code,
        "municipality": profile.municipality,
    }
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(entry, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def say(line: str) -> None:
    print(line, flush=True)


def serve(args: argparse.Namespace) -> int:
    from devices.eid.emulator.cardfiles import build_card
    from devices.eid.emulator.reporting import ReportingApplet
    from devices.eid.emulator.vpcd import VirtualCard

    host, port = vpcd_address(args.reader, args.vpcd)
    if args.write_register is not None:
        write_register_entry(profile_for(args.profile), args.write_register)
        say(f"emulator: register entry written to {args.write_register}")
        return EXIT_OK
    pin = read_pin(args.pin_file) if args.write_roots is None else ""
    pki = test_pki(args.pki)
    if args.write_roots is not None:
        args.write_roots.write_bytes(pki.root_pem())
        say(f"emulator: roots written to {args.write_roots}")
        return EXIT_OK
    content = build_card(profile_for(args.profile), pki, args.applet)
    applet = ReportingApplet(content, pin, report=say)
    # A card stays in its reader while pcscd restarts: keep reconnecting for two minutes.
    card = VirtualCard(
        applet, host, port, reconnect_attempts=600, reconnect_window_s=120.0, min_absence_s=1.0
    )
    commands: queue.Queue[str] = queue.Queue()
    signal.signal(signal.SIGUSR1, lambda *_: commands.put("remove"))
    signal.signal(signal.SIGUSR2, lambda *_: commands.put("insert"))
    signal.signal(signal.SIGTERM, lambda *_: commands.put("quit"))
    signal.signal(signal.SIGINT, lambda *_: commands.put("quit"))
    if not sys.stdin.isatty():
        threading.Thread(
            target=_read_commands, args=(commands, args.until_stdin_closes), daemon=True
        ).start()
    say(f"emulator: ready {port}")
    try:
        if not args.removed:
            _insert(card)
        while True:
            try:
                command = commands.get(timeout=0.5)
            except queue.Empty:
                continue
            if command == "quit":
                return EXIT_OK
            if command == "remove":
                card.remove()
                say("card: removed")
            elif command == "insert":
                _insert(card)
            elif command.startswith("remove-after ") and command[13:].strip().isdigit():
                applet.pull_out_after(int(command[13:]))
            elif command:
                say(f"emulator: unknown command {command!r} (remove, insert, remove-after N, quit)")
    finally:
        card.close()


def _insert(card: VirtualCard) -> None:
    try:
        card.insert(INSERT_TIMEOUT_S)
    except TimeoutError:
        raise NoReader(card.port, card.last_error) from None
    say("card: inserted")


class NoReader(Exception):
    def __init__(self, port: int, why: str | None) -> None:
        super().__init__(f"vpcd on port {port} did not take the card ({why or 'no answer'})")


def _read_commands(commands: queue.Queue[str], stop_at_end: bool) -> None:
    for line in sys.stdin:
        commands.put(line.strip().lower())
    if stop_at_end:
        commands.put("quit")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="emulator: %(levelname)s %(message)s",
    )
    try:
        return serve(args)
    except UsageError as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except NoReader as exc:
        print(f"emulator: {exc}; is pcscd running with vsmartcard-vpcd?", file=sys.stderr)
        return EXIT_NO_READER
    except ValueError as exc:  # vpcd host not on loopback, or a bad PKI folder
        print(f"emulator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception as exc:  # never a traceback: one line, details with -v
        log.info("unexpected error", exc_info=True)
        print(f"emulator: internal error ({type(exc).__name__}); run with -v", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
