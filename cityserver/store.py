"""The reference server's state in one SQLite file (WAL), so a restart loses nothing.

Secrets (terminal, animator and citizen tokens, enrolment codes) are stored as SHA-256 hashes
only; answers kept for retries that carry a token are sealed first (cityserver.sealing), and
every kept answer goes once its retention is over. Deleted rows are overwritten (secure_delete).
All access goes through one connection guarded by a lock: the server runs its handlers on one
event loop, and the lock keeps tests and tools that share the object safe too.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS enrolment_codes (
    code_hash TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, location TEXT NOT NULL,
    created_at REAL NOT NULL, expires_at REAL NOT NULL, used_at REAL);
CREATE TABLE IF NOT EXISTS terminals (
    terminal_id TEXT PRIMARY KEY, token_hash TEXT UNIQUE NOT NULL, issued_at REAL NOT NULL,
    software_version TEXT NOT NULL DEFAULT '', last_seen REAL, last_heartbeat TEXT,
    location TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
    body TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (scope, key));
CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);
CREATE TABLE IF NOT EXISTS challenges (
    challenge_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, nonce BLOB NOT NULL,
    expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS citizen_sessions (
    token_hash TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, expires_at REAL NOT NULL,
    citizen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    document_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, citizen_token_hash TEXT NOT NULL,
    document_type TEXT NOT NULL, language TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
    page_count INTEGER NOT NULL, size_bytes INTEGER NOT NULL, sha256 TEXT, pdf BLOB,
    price_cents INTEGER NOT NULL, verification_code TEXT UNIQUE, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS commands (
    command_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, kind TEXT NOT NULL,
    argument TEXT NOT NULL, issued_at REAL NOT NULL, acked_at REAL);
CREATE INDEX IF NOT EXISTS commands_pending ON commands (terminal_id, acked_at);
CREATE TABLE IF NOT EXISTS epn_sessions (
    session_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, seat TEXT NOT NULL,
    person_key TEXT, guest INTEGER NOT NULL, started_at REAL NOT NULL, ends_at REAL NOT NULL,
    state TEXT NOT NULL, location TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS guest_tickets (
    code_hash TEXT PRIMARY KEY, minutes INTEGER NOT NULL, expires_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS rooms (
    location TEXT PRIMARY KEY, locked INTEGER NOT NULL, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS animators (
    username TEXT PRIMARY KEY, display_name TEXT NOT NULL, active INTEGER NOT NULL,
    created_at REAL NOT NULL, locations TEXT NOT NULL DEFAULT '[]', token_hash TEXT UNIQUE);
"""

# Columns added since a table was first created: (table, column, declaration).
ADDED_COLUMNS = (
    ("terminals", "location", "TEXT NOT NULL DEFAULT ''"),
    ("epn_sessions", "location", "TEXT NOT NULL DEFAULT ''"),
    ("animators", "locations", "TEXT NOT NULL DEFAULT '[]'"),
    ("animators", "token_hash", "TEXT"),
    # What the terminal reported became of the document (printed, abandoned...), and when.
    ("documents", "outcome", "TEXT"),
    ("documents", "outcome_at", "REAL"),
    # Which citizen it was made for (a hash of their national number, in the same row as the
    # PDF that names them): after their token expired, the same citizen, authenticated again,
    # may still fetch the document a repeated request answered with.
    ("documents", "citizen_ref", "TEXT"),
)


# Expired idempotency rows removed per write: bounded work, and far more than are written.
PURGE_BATCH = 64


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class IdempotencyConflict(Exception):
    """The key was used before for a different request."""


class EnrolmentRefused(Exception):
    """The code does not enrol this terminal. `other_terminal`: a live code made for another
    terminal id; else unknown, used or expired (one answer: no oracle for guessers)."""

    def __init__(self, other_terminal: bool = False) -> None:
        super().__init__("other terminal" if other_terminal else "not valid")
        self.other_terminal = other_terminal


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL under WAL: a power cut may lose the last transactions, never corrupt.
            self._db.execute("PRAGMA synchronous=NORMAL")
            # A deleted row's bytes are zeroed, not left in a free page for a copy to find.
            self._db.execute("PRAGMA secure_delete=ON")
            self._forget_old_answers()
            self._migrate_before()
            self._db.executescript(SCHEMA)
            self._migrate_after()
        # token hash -> terminal id: every authenticated call needs it, so keep it in memory.
        self._tokens: dict[str, str] = {
            row["token_hash"]: row["terminal_id"]
            for row in self.query("SELECT token_hash, terminal_id FROM terminals")
        }

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _columns(self, table: str) -> set[str]:
        return {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}

    def _migrate_before(self) -> None:
        # Guest tickets kept in clear (before they were hashed) are dropped: they last a day.
        if "code" in self._columns("guest_tickets"):
            self._db.execute("DROP TABLE guest_tickets")
        # Codes from before they were bound to a terminal enrol nothing any more: IT makes
        # new ones (cityserver enrolment-code, POST /v1/admin/enrolment-codes).
        old = self._columns("enrolment_codes")
        if old and "terminal_id" not in old:
            self._db.execute("DROP TABLE enrolment_codes")

    def _migrate_after(self) -> None:
        for table, column, declaration in ADDED_COLUMNS:
            if column not in self._columns(table):
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        self._db.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS animators_token ON animators (token_hash)"
        )

    def _forget_old_answers(self) -> None:
        """A database from before answers expired and were sealed kept tokens in clear in
        them, for ever: its answers are dropped (a retry across this upgrade runs again)."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(idempotency)")}
        if columns and "expires_at" not in columns:
            self._db.execute("DROP TABLE idempotency")

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        with self._lock:
            return self._db.execute(sql, params).rowcount

    # -- enrolment and tokens ------------------------------------------------------------------

    def add_enrolment_code(
        self, code: str, terminal_id: str, location: str, now: float, expires_at: float
    ) -> None:
        """Let `code` enrol `terminal_id` (at `location`) once, until `expires_at`.

        A code known already is left as it is (a restart reading the same file neither
        revives a used code nor extends one); a new code replaces the terminal's unused ones.
        """
        with self.transaction() as db:
            known = db.execute(
                "SELECT 1 FROM enrolment_codes WHERE code_hash = ?", (secret_hash(code),)
            ).fetchone()
            if known:
                return
            db.execute(
                "DELETE FROM enrolment_codes WHERE terminal_id = ? AND used_at IS NULL",
                (terminal_id,),
            )
            db.execute(
                "INSERT INTO enrolment_codes "
                "(code_hash, terminal_id, location, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (secret_hash(code), terminal_id, location, now, expires_at),
            )

    def new_enrolment_code(
        self, terminal_id: str, location: str, now: float, expires_at: float
    ) -> str:
        code = secrets.token_urlsafe(18)
        self.add_enrolment_code(code, terminal_id, location, now, expires_at)
        return code

    def enrol(
        self, db: sqlite3.Connection, code: str, terminal_id: str, version: str, now: float
    ) -> str:
        """Spend the code made for this terminal and give it a new token (its old token stops
        at once); EnrolmentRefused otherwise. Runs inside the caller's transaction (`db`)."""
        row = db.execute(
            "SELECT terminal_id, location FROM enrolment_codes "
            "WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
            (secret_hash(code), now),
        ).fetchone()
        if row is None:
            raise EnrolmentRefused()
        if row["terminal_id"] != terminal_id:
            raise EnrolmentRefused(other_terminal=True)
        db.execute(
            "UPDATE enrolment_codes SET used_at = ? WHERE code_hash = ?", (now, secret_hash(code))
        )
        token = new_token()
        db.execute(
            "INSERT INTO terminals (terminal_id, token_hash, issued_at, software_version, location)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (terminal_id) DO UPDATE SET "
            "token_hash = excluded.token_hash, issued_at = excluded.issued_at, "
            "software_version = excluded.software_version, location = excluded.location",
            (terminal_id, secret_hash(token), now, version, row["location"]),
        )
        self._forget_terminal(terminal_id)
        self._tokens[secret_hash(token)] = terminal_id
        return token

    def rotate_token(self, db: sqlite3.Connection, terminal_id: str, now: float) -> str:
        token = new_token()
        db.execute(
            "UPDATE terminals SET token_hash = ?, issued_at = ? WHERE terminal_id = ?",
            (secret_hash(token), now, terminal_id),
        )
        self._forget_terminal(terminal_id)
        self._tokens[secret_hash(token)] = terminal_id
        return token

    def terminal_for_token(self, token: str) -> str | None:
        return self._tokens.get(secret_hash(token))

    def terminal_location(self, terminal_id: str) -> str | None:
        rows = self.query("SELECT location FROM terminals WHERE terminal_id = ?", (terminal_id,))
        return str(rows[0]["location"]) if rows else None

    # -- animators -----------------------------------------------------------------------------

    def create_animator(
        self,
        db: sqlite3.Connection,
        username: str,
        display_name: str,
        locations: list[str],
        now: float,
    ) -> str:
        """A new account and its token (returned once; the store keeps its hash).
        sqlite3.IntegrityError when the username exists."""
        token = new_token()
        db.execute(
            "INSERT INTO animators "
            "(username, display_name, active, created_at, locations, token_hash) "
            "VALUES (?, ?, 1, ?, ?, ?)",
            (username, display_name, now, json.dumps(sorted(set(locations))), secret_hash(token)),
        )
        return token

    def reset_animator_token(self, db: sqlite3.Connection, username: str) -> str | None:
        """A new token for the account (the old one stops at once); None: no such account."""
        token = new_token()
        changed = db.execute(
            "UPDATE animators SET token_hash = ? WHERE username = ?",
            (secret_hash(token), username),
        ).rowcount
        return token if changed else None

    def animator_for_token(self, token: str) -> sqlite3.Row | None:
        rows = self.query(
            "SELECT * FROM animators WHERE token_hash = ? AND active = 1", (secret_hash(token),)
        )
        return rows[0] if rows else None

    def _forget_terminal(self, terminal_id: str) -> None:
        for key in [k for k, v in self._tokens.items() if v == terminal_id]:
            del self._tokens[key]

    # -- idempotency ---------------------------------------------------------------------------

    def idempotent(
        self,
        scope: str,
        key: str | None,
        fingerprint: str,
        create: Callable[[sqlite3.Connection], tuple[int, str]],
        now: float,
        retention_s: float,
    ) -> tuple[int, str]:
        """Run `create` once per (scope, key): a repeat gets the first answer back.

        `create` runs inside the same transaction that records the key, so a crash between
        the two cannot leave a document without its key (or the reverse). An answer is kept
        `retention_s`; each keyed call removes up to PURGE_BATCH answers past theirs.
        """
        if key is None:
            with self.transaction() as db:
                return create(db)
        with self.transaction() as db:
            db.execute(
                "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency "
                "WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)",
                (now, PURGE_BATCH),
            )
            db.execute(
                "DELETE FROM idempotency WHERE scope = ? AND key = ? AND expires_at <= ?",
                (scope, key, now),
            )
            row = db.execute(
                "SELECT fingerprint, status, body FROM idempotency WHERE scope = ? AND key = ?",
                (scope, key),
            ).fetchone()
            if row is not None:
                if row["fingerprint"] != fingerprint:
                    raise IdempotencyConflict(key)
                return int(row["status"]), str(row["body"])
            status, body = create(db)
            if status < 300:  # failures are not remembered: a retry may succeed
                db.execute(
                    "INSERT INTO idempotency "
                    "(scope, key, fingerprint, status, body, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (scope, key, fingerprint, status, body, now, now + retention_s),
                )
            return status, body

    def purge_expired_answers(self, now: float) -> int:
        """Remove every kept answer past its retention (at start: nothing waits for a write)."""
        return self.execute("DELETE FROM idempotency WHERE expires_at <= ?", (now,))

    def has_answer(self, scope: str, key: str, now: float) -> bool:
        """Is an answer kept for (scope, key), not yet expired?"""
        rows = self.query(
            "SELECT 1 FROM idempotency WHERE scope = ? AND key = ? AND expires_at > ?",
            (scope, key, now),
        )
        return bool(rows)

    # -- heartbeats and commands ---------------------------------------------------------------

    def record_heartbeat(self, terminal_id: str, body: str, version: str, now: float) -> None:
        self.execute(
            "UPDATE terminals SET last_seen = ?, last_heartbeat = ?, software_version = ? "
            "WHERE terminal_id = ?",
            (now, body, version, terminal_id),
        )

    def pending_commands(self, terminal_id: str) -> list[sqlite3.Row]:
        return self.query(
            "SELECT * FROM commands WHERE terminal_id = ? AND acked_at IS NULL ORDER BY issued_at",
            (terminal_id,),
        )

    def ack_command(self, terminal_id: str, command_id: str, now: float) -> bool:
        return (
            self.execute(
                "UPDATE commands SET acked_at = coalesce(acked_at, ?) "
                "WHERE command_id = ? AND terminal_id = ?",
                (now, command_id, terminal_id),
            )
            > 0
        )

    # -- citizen authentication ----------------------------------------------------------------

    def add_challenge(self, terminal_id: str, nonce: bytes, expires_at: float) -> str:
        challenge_id = "ch-" + secrets.token_hex(12)
        self.execute(
            "INSERT INTO challenges (challenge_id, terminal_id, nonce, expires_at) "
            "VALUES (?, ?, ?, ?)",
            (challenge_id, terminal_id, nonce, expires_at),
        )
        return challenge_id

    def spend_challenge(
        self, db: sqlite3.Connection, challenge_id: str, terminal_id: str
    ) -> sqlite3.Row | None:
        """Mark the challenge used (once, by its own terminal); the row as it was, or None."""
        row = db.execute(
            "SELECT * FROM challenges WHERE challenge_id = ? AND terminal_id = ?",
            (challenge_id, terminal_id),
        ).fetchone()
        if row is not None:
            db.execute("UPDATE challenges SET used = 1 WHERE challenge_id = ?", (challenge_id,))
        return row

    def citizen_session(self, token: str, terminal_id: str, now: float) -> dict[str, Any] | None:
        rows = self.query(
            "SELECT citizen, expires_at FROM citizen_sessions "
            "WHERE token_hash = ? AND terminal_id = ?",
            (secret_hash(token), terminal_id),
        )
        if not rows or rows[0]["expires_at"] <= now:
            return None
        citizen: dict[str, Any] = json.loads(rows[0]["citizen"])
        return citizen

    # -- documents -----------------------------------------------------------------------------

    def document(self, document_id: str, terminal_id: str) -> sqlite3.Row | None:
        rows = self.query(
            "SELECT * FROM documents WHERE document_id = ? AND terminal_id = ?",
            (document_id, terminal_id),
        )
        return rows[0] if rows else None

    def record_outcome(
        self, document_id: str, terminal_id: str, outcome: str, now: float
    ) -> sqlite3.Row | None:
        """Record the outcome once (a later different one changes nothing); the row after,
        or None when the terminal has no such document."""
        with self.transaction() as db:
            db.execute(
                "UPDATE documents SET outcome = ?, outcome_at = ? "
                "WHERE document_id = ? AND terminal_id = ? AND outcome IS NULL",
                (outcome, now, document_id, terminal_id),
            )
            row: sqlite3.Row | None = db.execute(
                "SELECT * FROM documents WHERE document_id = ? AND terminal_id = ?",
                (document_id, terminal_id),
            ).fetchone()
        return row

    def documents_for_admin(
        self, terminal_id: str | None, handed_over: bool | None, limit: int
    ) -> list[sqlite3.Row]:
        """Documents newest first, without the PDF or anything of the citizen. `handed_over`
        False: issued (ready) but not reported printed; True: reported printed."""
        flag = None if handed_over is None else int(handed_over)
        return self.query(
            "SELECT document_id, terminal_id, document_type, status, outcome, created_at, "
            "outcome_at FROM documents WHERE (?1 IS NULL OR terminal_id = ?1) AND ("
            "?2 IS NULL"
            " OR (?2 = 0 AND status = 'ready' AND (outcome IS NULL OR outcome != 'printed'))"
            " OR (?2 = 1 AND outcome = 'printed')"
            ") ORDER BY created_at DESC, document_id LIMIT ?3",
            (terminal_id, flag, limit),
        )

    def document_by_code(self, code: str) -> sqlite3.Row | None:
        rows = self.query(
            "SELECT document_type, status, created_at FROM documents WHERE verification_code = ?",
            (code,),
        )
        return rows[0] if rows else None
