"""The kiosk's configuration: one TOML file read into typed, validated settings.

Where the file is: `--config FILE`, else `$KIOSK_CONFIG`, else /etc/kiosk/kiosk.toml.
Every key has a default, so `kiosk demo` runs with no file at all. A bad file raises
`ConfigError` naming the file, the key and what was expected; the CLI turns it into
one line and exit code 2. docs/configuration.md is generated from these classes
(`python -m kiosk.config_doc`) and a test fails when it drifts.

Validation uses pydantic rather than hand-written checks: it reports the exact key
path and the expected type for every field, nested sections included.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk.errors import KioskError

DEFAULT_PATH = Path("/etc/kiosk/kiosk.toml")
ENV_VAR = "KIOSK_CONFIG"

Language = Literal["fr", "nl", "en", "de"]
Seconds = Annotated[float, Field(gt=0)]


class ConfigError(KioskError):
    exit_code = 2


class _Section(BaseModel):
    # Unknown keys are errors: a typo must not silently fall back to a default.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TerminalSettings(_Section):
    """Who this terminal is."""

    id: str = Field(
        "demo-terminal",
        min_length=1,
        description="Terminal id shown on receipts and in health reports.",
    )
    kind: Literal["eguichet", "epn"] = Field(
        "eguichet", description="`eguichet` (certificate kiosk) or `epn` (public PC)."
    )
    languages: list[Language] = Field(
        ["fr", "nl", "en", "de"],
        min_length=1,
        description="Languages offered, in order of display.",
    )
    default_language: Language = Field("fr", description="Language of the attract screen.")
    location: str = Field(
        "", description="Where the terminal stands, for IT and the 'go to the counter' hints."
    )


class CityApiSettings(_Section):
    """The city's back-office API."""

    url: str = Field(
        "",
        description=(
            "Base URL of the city API (https://...). Empty: the embedded "
            "reference server (demo only)."
        ),
    )
    ca_bundle: Path | None = Field(
        None,
        description=(
            "Extra CA bundle (PEM) to verify the city API's TLS "
            "certificate. Verification cannot be turned off."
        ),
    )
    token_file: Path = Field(
        Path("/var/lib/kiosk/token"),
        description="Where the terminal's bearer token is kept (mode 0600).",
    )
    connect_timeout: Seconds = Field(3.0, description="Seconds to wait for a connection.")
    read_timeout: Seconds = Field(10.0, description="Seconds to wait for an answer.")
    retries: int = Field(3, ge=0, le=10, description="Retries of idempotent calls, with backoff.")
    backoff_factor: float = Field(
        0.3,
        ge=0,
        le=5,
        description=(
            "Retry back-off (urllib3 backoff_factor): the first retry is at once, the "
            "next ones wait 2x, 4x, ... this many seconds."
        ),
    )
    catalogue_cache: Path = Field(
        Path("/var/lib/kiosk/catalogue.json"),
        description="Where the catalogue is cached with its ETag, to show the offer offline.",
    )
    max_document_bytes: int = Field(
        10_000_000, ge=1024, description="Largest certificate PDF accepted from the city API."
    )


class EidSettings(_Section):
    """The Belgian eID reader."""

    reader: str = Field(
        "",
        description=(
            "PC/SC reader name (or a unique part of it). Empty: the first reader with a card."
        ),
    )
    trust_roots: list[Path] = Field(
        [],
        description=(
            "Extra trust roots (PEM files) accepted besides the Belgium "
            "Root CAs, e.g. for test cards."
        ),
    )
    simulated: bool = Field(
        False, description="Use the simulated reader with a demo card instead of PC/SC."
    )


class PrinterSettings(_Section):
    """The A4 certificate printer (CUPS)."""

    queue: str = Field("", description="CUPS queue name. Empty: the CUPS default destination.")
    server: str = Field(
        "",
        description=(
            "CUPS server: a unix socket path or host[:port]. Empty: the CUPS default "
            "($CUPS_SERVER, then client.conf, then the local socket)."
        ),
    )
    job_timeout: Seconds = Field(
        120.0, description="Seconds a certificate may take to print before it is reported failed."
    )
    pdf_folder: Path | None = Field(
        None,
        description=(
            "Write certificates as PDFs to this folder instead of printing (demo, no CUPS)."
        ),
    )


class ReceiptSettings(_Section):
    """The 80 mm ESC/POS receipt printer."""

    uri: str = Field(
        "",
        description=(
            "tcp://host:port, usb://VID:PID or "
            "serial:///dev/ttyS0?baud=19200. Empty: no receipt printer."
        ),
    )
    profile: str = Field(
        "TM-T88V", description="python-escpos printer profile (paper width, code pages)."
    )
    timeout: Seconds = Field(5.0, description="Seconds to wait for the receipt printer.")


class SessionSettings(_Section):
    """Timers and the citizen's private working area."""

    idle_timeout: Seconds = Field(
        60.0, description="Seconds without a touch on a choosing screen before the session ends."
    )
    thank_you_timeout: Seconds = Field(20.0, description="Seconds the thank-you screen stays.")
    warning_before: Seconds = Field(
        30.0,
        ge=20,
        description=(
            "Seconds before an idle timeout that the 'more time?' warning appears (at least 20)."
        ),
    )
    max_extensions: int = Field(
        10, ge=10, description="How many times 'more time' may be asked (at least 10)."
    )
    tmpfs_dir: Path = Field(
        Path("/run/kiosk/session"),
        description="Private tmpfs directory for a session's files; wiped at every session end.",
    )


class UiSettings(_Section):
    """The touch screen."""

    fullscreen: bool = Field(True, description="Full screen with no window decorations.")
    high_contrast: bool = Field(False, description="Start in high-contrast mode.")
    large_text: bool = Field(False, description="Start in large-text mode.")
    speech: bool = Field(False, description="Start with audio guidance on.")
    maintenance_pin_hash: str = Field(
        "",
        pattern=r"^(|scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+)$",
        description=(
            "scrypt hash of the maintenance PIN, `scrypt$N$r$p$salt$key` (base64; "
            "`kiosk provision` writes it). Empty: the maintenance screen cannot be opened."
        ),
    )
    maintenance_lockout: Seconds = Field(
        300.0, description="Seconds the maintenance PIN is refused after 5 wrong tries."
    )


# The maintenance PIN, stored as `scrypt$N$r$p$salt$key` with base64 salt and key.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_BYTES = 2**14, 8, 1, 32


def hash_maintenance_pin(pin: str, *, salt: bytes | None = None) -> str:
    """The value for `ui.maintenance_pin_hash` (used by `kiosk provision` and the demo)."""
    salt = salt if salt is not None else os.urandom(16)
    key = hashlib.scrypt(
        pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_KEY_BYTES
    )
    encode = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt).decode()}${encode(key).decode()}"


def check_maintenance_pin(pin: bytes | bytearray, stored: str) -> bool:
    """Whether `pin` (ASCII digits) matches `stored`; False for an empty or malformed hash."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key, validate=True)
        found = hashlib.scrypt(
            bytes(pin),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=256 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(found, expected)


class TelemetrySettings(_Section):
    """Fleet health."""

    sentry_dsn: str = Field(
        "", description="Sentry DSN for error reports. Empty: no error reports are sent."
    )
    heartbeat_interval: Seconds = Field(
        30.0, description="Seconds between heartbeats to the city API."
    )
    textfile_dir: Path | None = Field(
        None, description="node_exporter textfile directory for Prometheus metrics."
    )


class LoggingSettings(_Section):
    """Logs (never contain citizen data; national numbers are redacted everywhere)."""

    level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Lowest level written."
    )


class Settings(_Section):
    """The whole configuration file."""

    terminal: TerminalSettings = TerminalSettings()
    cityapi: CityApiSettings = CityApiSettings()
    eid: EidSettings = EidSettings()
    printer: PrinterSettings = PrinterSettings()
    receipt: ReceiptSettings = ReceiptSettings()
    session: SessionSettings = SessionSettings()
    ui: UiSettings = UiSettings()
    telemetry: TelemetrySettings = TelemetrySettings()
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
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_problem(exc)}") from None


def _first_problem(exc: ValidationError) -> str:
    """One line: the key, what was expected, and the type found "
    "(never the value: it may be secret)."""
    err = exc.errors(include_url=False)[0]
    key = ".".join(str(part) for part in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"{key}: unknown key (see docs/configuration.md for the keys)"
    found = _toml_type(err.get("input"))
    message = err["msg"][0].lower() + err["msg"][1:]
    message = message.replace("input should be", "expected")
    return f"{key}: {message} (found {found})"


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
