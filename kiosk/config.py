"""The kiosk's configuration: one TOML file read into typed, validated settings.

Where the file is: `--config FILE`, else `$KIOSK_CONFIG`, else /etc/kiosk/kiosk.toml.
Every key has a default, so `kiosk demo` runs with no file at all. A bad file raises
`ConfigError` naming the file, the key and what was expected; the CLI turns it into
one line and exit code 2. docs/configuration.md is generated from these classes
(`python -m kiosk.config_doc`) and a test fails when it drifts.

Validation uses msgspec rather than hand-written checks: it finds the exact key path of
the first problem, nested sections included, and the message is written from that key's
declared type. Not pydantic (used for the city API's wire format): the configuration is read
before the first frame, and pydantic's import and schema building took about 90 ms there
(msgspec: about 5 ms); see bench/bench_ui.py.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

import msgspec
from msgspec import Meta, Struct, field

from i18n.languages import CODES
from kiosk.errors import KioskError

DEFAULT_PATH = Path("/etc/kiosk/kiosk.toml")
ENV_VAR = "KIOSK_CONFIG"

# A code of i18n.languages, checked and documented as a Literal (Literal[("fr", "nl")] is
# Literal["fr", "nl"]); mypy cannot read a Literal built from a tuple, so it sees a str.
if TYPE_CHECKING:
    Language = str
else:
    Language = Literal[CODES]
Seconds = Annotated[float, Meta(gt=0)]


class ConfigError(KioskError):
    exit_code = 2


# A rule between keys, checked after each key's own type (`__post_init__`); msgspec reports it
# at the section, and `_first_problem` writes it as "section.key: expectation".
_RULE = "rule: "


class _Section(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A section of the file. Unknown keys are errors: a typo must not silently fall back to a
    default. Sections repeat `frozen=True`: mypy does not see it inherited."""


class TerminalSettings(_Section, frozen=True):
    """Who this terminal is."""

    id: Annotated[
        str, Meta(min_length=1, description="Terminal id shown on receipts and in health reports.")
    ] = "demo-terminal"
    languages: Annotated[
        list[Language],
        Meta(
            min_length=1,
            description="Languages offered, each once, in the order the language screen's "
            "buttons and the attract screen's invitations show them.",
        ),
    ] = field(default_factory=lambda: list(CODES))
    default_language: Annotated[
        Language | None,
        Meta(
            description="Language of the screens before a citizen chooses one; one of "
            "`languages`. Unset: the first of `languages`."
        ),
    ] = None
    location: Annotated[
        str,
        Meta(description="Where the terminal stands, for IT and the 'go to the counter' hints."),
    ] = ""

    def __post_init__(self) -> None:
        if len(set(self.languages)) < len(self.languages):
            raise ValueError(f"{_RULE}languages: each language at most once")
        if self.default_language is not None and self.default_language not in self.languages:
            offered = ", ".join(repr(code) for code in self.languages)
            raise ValueError(f"{_RULE}default_language: expected one of `languages` ({offered})")

    @property
    def start_language(self) -> Language:
        """The language each session starts in: `default_language`, else the first offered."""
        return self.default_language or self.languages[0]


class CityApiSettings(_Section, frozen=True):
    """The city's back-office API."""

    url: Annotated[
        str,
        Meta(
            description="Base URL of the city API (https://...). Empty: the reference "
            "server that `kiosk demo` starts (demo only)."
        ),
    ] = ""
    ca_bundle: Annotated[
        Path | None,
        Meta(
            description="CA certificates (PEM) trusted for the city API's TLS certificate "
            "besides the system's CA store (added to it, never replacing it). Verification "
            "cannot be turned off."
        ),
    ] = None
    token_file: Annotated[
        Path, Meta(description="Where the terminal's bearer token is kept (mode 0600).")
    ] = Path("/var/lib/kiosk/token")
    token_max_age_days: Annotated[
        float,
        Meta(
            gt=0,
            description="Days after which the kiosk replaces its terminal token with a new one "
            "from the city API (checked hourly, between sessions); the old one stops at once.",
        ),
    ] = 7.0
    connect_timeout: Annotated[Seconds, Meta(description="Seconds to wait for a connection.")] = 3.0
    read_timeout: Annotated[Seconds, Meta(description="Seconds to wait for an answer.")] = 10.0
    retries: Annotated[
        int, Meta(ge=0, le=10, description="Retries of idempotent calls, with backoff.")
    ] = 3
    backoff_factor: Annotated[
        float,
        Meta(
            ge=0,
            le=5,
            description="Retry back-off (urllib3 backoff_factor): the first retry is at once, the "
            "next ones wait 2x, 4x, ... this many seconds.",
        ),
    ] = 0.3
    catalogue_cache: Annotated[
        Path,
        Meta(description="Where the catalogue is cached with its ETag, to show the offer offline."),
    ] = Path("/var/lib/kiosk/catalogue.json")
    max_document_bytes: Annotated[
        int, Meta(ge=1024, description="Largest certificate PDF accepted from the city API.")
    ] = 10_000_000


class EidSettings(_Section, frozen=True):
    """The Belgian eID reader."""

    reader: Annotated[
        str,
        Meta(
            description="PC/SC reader name (or a unique part of it). "
            "Empty: the first reader with a card."
        ),
    ] = ""
    trust_roots: Annotated[
        list[Path],
        Meta(
            description="Extra trust roots (PEM files) accepted besides the Belgium "
            "Root CAs, e.g. for test cards."
        ),
    ] = field(default_factory=list)
    simulated: Annotated[
        bool, Meta(description="Use the simulated reader with a demo card instead of PC/SC.")
    ] = False


class PrinterSettings(_Section, frozen=True):
    """The A4 certificate printer (CUPS)."""

    queue: Annotated[
        str, Meta(description="CUPS queue name. Empty: the CUPS default destination.")
    ] = ""
    server: Annotated[
        str,
        Meta(
            description="CUPS server: a unix socket path or host[:port]. Empty: the CUPS default "
            "($CUPS_SERVER, then client.conf, then the local socket)."
        ),
    ] = ""
    job_timeout: Annotated[
        Seconds,
        Meta(description="Seconds a certificate may take to print before it is reported failed."),
    ] = 120.0
    pdf_folder: Annotated[
        Path | None,
        Meta(
            description="Write certificates as PDFs to this folder instead of printing "
            "(demo, no CUPS)."
        ),
    ] = None


class ReceiptSettings(_Section, frozen=True):
    """The 80 mm ESC/POS receipt printer."""

    uri: Annotated[
        str,
        Meta(
            description="tcp://host:port, usb://VID:PID or "
            "serial:///dev/ttyS0?baud=19200. Empty: no receipt printer."
        ),
    ] = ""
    profile: Annotated[
        str, Meta(description="python-escpos printer profile (paper width, code pages).")
    ] = "TM-T88V"
    timeout: Annotated[Seconds, Meta(description="Seconds to wait for the receipt printer.")] = 5.0


class SessionSettings(_Section, frozen=True):
    """Timers and the citizen's private working area."""

    idle_timeout: Annotated[
        Seconds,
        Meta(description="Seconds without a touch on a choosing screen before the session ends."),
    ] = 60.0
    thank_you_timeout: Annotated[
        Seconds, Meta(description="Seconds the thank-you screen stays.")
    ] = 20.0
    warning_before: Annotated[
        float,
        Meta(
            ge=20,
            description="Seconds before an idle timeout that the 'more time?' warning "
            "appears (at least 20).",
        ),
    ] = 30.0
    max_extensions: Annotated[
        int, Meta(ge=10, description="How many times 'more time' may be asked (at least 10).")
    ] = 10
    tmpfs_dir: Annotated[
        Path,
        Meta(
            description="Private tmpfs directory for a session's files; wiped at every session "
            "end. `kiosk run` refuses to start when it is not on a tmpfs (kiosk demo warns)."
        ),
    ] = Path("/run/kiosk/session")


class UiSettings(_Section, frozen=True):
    """The touch screen. Kivy keeps its own settings in $KIVY_HOME (unset: a private folder in
    the temporary directory); it must belong to the kiosk's user and be writable by nobody
    else, or the kiosk does not start (exit 3)."""

    fullscreen: Annotated[bool, Meta(description="Full screen with no window decorations.")] = True
    high_contrast: Annotated[bool, Meta(description="Start in high-contrast mode.")] = False
    large_text: Annotated[bool, Meta(description="Start in large-text mode.")] = False
    speech: Annotated[bool, Meta(description="Start with audio guidance on.")] = False
    maintenance_pin_hash: Annotated[
        str,
        Meta(
            # \Z, not $: msgspec searches, and $ would let a trailing newline through.
            pattern=r"^(|\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+"
            r"|scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+)\Z",
            description="argon2id hash of the maintenance PIN, "
            "`$argon2id$v=19$m=65536,t=3,p=4$salt$hash` (`kiosk maintenance code --write` sets "
            "it). An older `scrypt$N$r$p$salt$key` hash still works; `kiosk run` then warns to "
            "set the code again. Empty: the maintenance screen cannot be opened.",
        ),
    ] = ""
    maintenance_lockout: Annotated[
        Seconds, Meta(description="Seconds the maintenance PIN is refused after 5 wrong tries.")
    ] = 300.0
    maintenance_lock_file: Annotated[
        Path | None,
        Meta(
            description="Where wrong maintenance codes and the lock-out are kept (mode 0600), "
            "so that a restart does not reset them. Unset: in memory only (a restart resets "
            "them)."
        ),
    ] = Path("/var/lib/kiosk/maintenance-lock.json")


class LoggingSettings(_Section, frozen=True):
    """Logs (never contain citizen data; national numbers are redacted everywhere)."""

    level: Annotated[
        Literal["debug", "info", "warning", "error"], Meta(description="Lowest level written.")
    ] = "info"


class Settings(_Section, frozen=True):
    """The whole configuration file."""

    terminal: TerminalSettings = TerminalSettings()
    cityapi: CityApiSettings = CityApiSettings()
    eid: EidSettings = EidSettings()
    printer: PrinterSettings = PrinterSettings()
    receipt: ReceiptSettings = ReceiptSettings()
    session: SessionSettings = SessionSettings()
    ui: UiSettings = UiSettings()
    logging: LoggingSettings = LoggingSettings()


def resolve_path(explicit: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """The config file to read, and whether the user asked for it (so it must exist)."""
    if explicit:
        return Path(explicit), True
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env), True
    return DEFAULT_PATH, False


def load_settings(explicit: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate the configuration; defaults when no file is asked for or found."""
    path, required = resolve_path(explicit)
    if not path.exists() and not required:
        return Settings()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file ({exc.strerror})") from None
    return parse_settings(raw, path)


def parse_settings(raw: bytes, path: Path) -> Settings:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return validate_settings(data, path)


def validate_settings(data: dict[str, Any], path: Path | str) -> Settings:
    """Settings from a parsed TOML document; `path` names the file in the error."""
    try:
        return msgspec.convert(data, Settings, dec_hook=_decode_path)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{path}: {_first_problem(str(exc), data)}") from None


def _decode_path(kind: type, value: Any) -> Any:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise TypeError("not a path")  # msgspec adds the key; the message is rewritten below


_AT = re.compile(r" - at `\$(?P<at>[^`]*)`$")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")  # `.key` or `[index]`
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<key>[^`]*)`")
_BROKEN_RULE = re.compile(rf"^{_RULE}(?P<key>\w+): (?P<expected>.*?) - at ")


def _first_problem(message: str, data: dict[str, Any]) -> str:
    """One line: the key, what was expected, and the type found (never the value: it may be
    secret). msgspec gives the key's path; the expectation is written from the key's declared
    type, in TOML's words."""
    at = _AT.search(message)
    keys: list[str | int] = [
        name or int(index) for name, index in _STEP.findall(at["at"] if at else "")
    ]
    unknown = _UNKNOWN.match(message)
    if unknown:
        keys.append(unknown["key"])
        return f"{_dotted(keys)}: unknown key (see docs/configuration.md for the keys)"
    broken = _BROKEN_RULE.match(message)
    if broken:
        return f"{_dotted([*keys, broken['key']])}: {broken['expected']}"
    return f"{_dotted(keys)}: expected {_expected(_declared(keys))} (found {_found(data, keys)})"


def _dotted(keys: list[str | int]) -> str:
    text = "".join(f"[{k}]" if isinstance(k, int) else f".{_toml_key(k)}" for k in keys)
    return text.lstrip(".") or "(top level)"


def _toml_key(key: str) -> str:
    # A typo'd key is echoed as TOML writes it: quoted and escaped unless it is a bare key, so
    # the message stays one line whatever the key holds.
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def _declared(keys: list[str | int]) -> Any:
    """The annotation of the key at `keys`, list items included."""
    kind: Any = Settings
    for key in keys:
        kind = _strip(kind)
        if isinstance(key, int):
            kind = get_args(kind)[0]
        else:
            fields = {f.name: f.type for f in msgspec.structs.fields(kind)}
            kind = fields[key]
    return kind


def _strip(kind: Any) -> Any:
    return get_args(kind)[0] if get_origin(kind) is Annotated else kind


def _constraints(kind: Any) -> list[str]:
    words = {
        "gt": "greater than",
        "ge": "greater than or equal to",
        "lt": "less than",
        "le": "less than or equal to",
    }
    found: list[str] = []
    for meta in get_args(kind)[1:] if get_origin(kind) is Annotated else ():
        if not isinstance(meta, Meta):
            continue
        found += [
            f"{word} {getattr(meta, name):g}"
            for name, word in words.items()
            if getattr(meta, name) is not None
        ]
        if meta.min_length:
            found.append(f"at least {meta.min_length} long")
        if meta.pattern is not None:
            found.append("in the format docs/configuration.md gives")
    return found


def _expected(kind: Any) -> str:
    """What a key takes, in TOML's words: "a number greater than 0", "one of 'fr', 'nl'"."""
    constraints = _constraints(kind)
    base = _strip(kind)
    origin, args = get_origin(base), get_args(base)
    if origin is list:
        return " ".join(["an array", *constraints]) + f", each {_expected(args[0])}"
    if origin in (Union, UnionType) and type(None) in args:
        return _expected(next(a for a in args if a is not type(None)))
    if origin is Literal:
        text = "one of " + ", ".join(repr(a) for a in args)
    else:
        names = {
            str: "a string",
            int: "an integer",
            float: "a number",
            bool: "a boolean",
            Path: "a path (a string)",
        }
        text = names.get(base, "a table" if isinstance(base, type) else str(base))
    return " ".join([text, " and ".join(constraints)]).strip()


def _found(data: Any, keys: list[str | int]) -> str:
    for key in keys:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return "nothing"
    return _toml_type(data)


def _toml_type(value: Any) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }
    for kind, name in names.items():
        if type(value) is kind:
            return name
    return "a date or time" if value is not None else "nothing"
