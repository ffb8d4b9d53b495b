"""How one reference server instance is set up (from `cityserver serve` or a test)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from cityapi.models import RegisteredCitizen


@dataclass(frozen=True)
class EnrolmentCodeLine:
    """A code city IT gives the server at start, for one terminal id at one location."""

    terminal_id: str
    location: str
    code: str = field(repr=False)


@dataclass
class ServerConfig:
    """Everything the reference server needs; defaults suit a demo on loopback."""

    data_dir: Path
    # Roots the RRN and citizen authentication certificates must chain to. Production: the
    # Belgium Root CAs; tests and the demo add the test PKI's roots.
    trust_roots: list[x509.Certificate] = field(default_factory=list)
    # CRLs of the citizen CAs (`--crl FILE`): a listed authentication certificate is refused
    # (`certificate_revoked`); a CRL counts only for the CA whose key signed it.
    revocation_lists: list[x509.CertificateRevocationList] = field(default_factory=list)
    # One-time codes given at start (`--enrolment-codes FILE` or stdin), each for one terminal.
    enrolment_codes: list[EnrolmentCodeLine] = field(default_factory=list)
    # How long a new enrolment code is valid (24 h); wrong codes allowed per minute, per
    # client address and from all together, before enrolment answers 429.
    enrolment_code_ttl_s: float = 24 * 3600.0
    enrolment_failures_per_address: int = 10
    enrolment_failures_total: int = 100
    # SHA-256 (hex) of city IT's admin token, from `--admin-token-file`; None: no admin calls.
    # Only the hash is kept in memory: the token itself stays in its 0600 file.
    admin_token_hash: str | None = None
    # Citizens recorded in the population register at start (`--register FILE`).
    register: list[RegisteredCitizen] = field(default_factory=list)
    # AES-256 key sealing the answers kept for retries that carry a token (cityserver.sealing),
    # from `--secrets-key-file`; None: one made up at start, in memory only.
    secrets_key: bytes | None = None
    challenge_ttl_s: float = 120.0
    # Short: a kiosk ends the session when it wipes; this is for one that could not. Long
    # enough for the journey after authentication (catalogue, confirm, fetch: about 180 s
    # with the kiosk's default timers, kiosk.config.SessionSettings).
    citizen_token_ttl_s: float = 300.0
    # Base of the verification URL printed as a QR code; empty: the URL the request came in on.
    public_url: str = ""
    # Largest request body accepted, before parsing (card files are a few kilobytes).
    max_body_bytes: int = 256 * 1024
    # Mount the fault injector (`/_faults`, loopback only): tests only, from `--fault-injection`.
    fault_injection: bool = False
    epn_daily_minutes: int = 120
    seats: tuple[str, ...] = ("pc-01", "pc-02", "pc-03", "pc-04", "pc-05", "pc-06")
    clock: Callable[[], float] = time.time

    @property
    def database(self) -> Path:
        return self.data_dir / "cityapi.sqlite3"
