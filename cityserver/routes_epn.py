"""EPN (public PC rooms): sessions, daily quota per person, guest tickets, rooms, commands.
A plain first implementation, so the contract is exercised end to end; the EPN issue refines
the rules. People are known only by a keyed hash of their national number.

Who may do what: a station (terminal token) runs sessions in its own location's room; an
animator acts on the rooms and stations of its locations (room lock, end_session, lock,
show_message); city IT (admin token) acts anywhere and sends every command. Refusals are 403
with `forbidden_role` (not this role's) or `outside_location` (not this caller's location).
"""

from __future__ import annotations

import datetime
import secrets
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from cityapi.models import (
    CommandRequest,
    EpnQuota,
    EpnSession,
    EpnSessionExtend,
    EpnSessionStart,
    GuestTicket,
    GuestTicketRequest,
    Identifier,
    PersonKey,
    RoomLock,
    RoomState,
    Seat,
    TerminalCommand,
)
from cityserver.problems import ProblemError, problem_docs
from cityserver.replies import (
    TOKEN_RETENTION_S,
    config_of,
    idempotent,
    json_response,
    now_of,
    store_of,
    timestamp,
)
from cityserver.routes_terminals import IdempotencyKey
from cityserver.security import (
    AnyCaller,
    Caller,
    Staff,
    TerminalId,
    forbidden_role,
    outside_location,
)
from cityserver.store import secret_hash

router = APIRouter(prefix="/v1/epn", tags=["epn"])

GUEST_TICKET_VALIDITY_S = 24 * 3600.0
_TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SessionId = Annotated[str, Path(max_length=64)]
LocationQuery = Annotated[
    Identifier | None,
    Query(
        description="The room's location; a station's own, or an animator's only one, when absent"
    ),
]
# What an animator may send to a station of its locations; the rest is city IT's.
ANIMATOR_COMMANDS = frozenset({"end_session", "show_message", "lock", "unlock"})


def _station_location(request: Request, terminal_id: str) -> str:
    return store_of(request).terminal_location(terminal_id) or ""


def _room_location(caller: Caller, location: str | None) -> str:
    """The location a room call is about: the one named, if the caller serves it, or the
    caller's only one."""
    if location is None:
        if caller.locations is None or len(caller.locations) != 1:
            raise ProblemError(
                422, "Unprocessable Content", "name the room's location", "location_required"
            )
        (location,) = caller.locations
    if not caller.serves(location):
        raise outside_location("this room is not at a location of this caller")
    return location


def _conflict(detail: str, code: str) -> ProblemError:
    return ProblemError(409, "Conflict", detail, code)


def _session(row: sqlite3.Row, now: float) -> EpnSession:
    active = row["state"] == "active" and row["ends_at"] > now
    return EpnSession(
        session_id=row["session_id"],
        seat=row["seat"],
        state="active" if active else "ended",
        guest=bool(row["guest"]),
        started_at=timestamp(row["started_at"]),
        ends_at=timestamp(row["ends_at"]),
    )


def _day_bounds(now: float) -> tuple[float, float]:
    day = timestamp(now).date()
    start = datetime.datetime.combine(day, datetime.time(), datetime.UTC).timestamp()
    return start, start + 86400


def _minutes_used(db: sqlite3.Connection, person_key: str, now: float) -> int:
    start, end = _day_bounds(now)
    row = db.execute(
        "SELECT coalesce(sum(min(ends_at, ?) - started_at), 0) FROM epn_sessions "
        "WHERE person_key = ? AND started_at >= ? AND started_at < ?",
        (max(now, start), person_key, start, end),
    ).fetchone()
    return int(max(0.0, float(row[0])) // 60)


@router.post(
    "/sessions",
    response_model=EpnSession,
    status_code=201,
    responses=problem_docs(401, 409, 422, unknown=("seat", "unknown_seat"), idempotent=True),
)
async def start_session(
    request: Request, body: EpnSessionStart, terminal_id: TerminalId, key: IdempotencyKey = None
) -> Response:
    """Start a timed session on a free seat of this station's room, for a person within quota
    or a guest ticket."""
    now = now_of(request)
    config = config_of(request)
    location = _station_location(request, terminal_id)

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        # Exactly one of person_key and guest_ticket: the model says so (and the contract).
        if body.seat not in config.seats:
            raise ProblemError(422, "Unprocessable Content", "no such seat", "unknown_seat")
        room = db.execute("SELECT locked FROM rooms WHERE location = ?", (location,)).fetchone()
        if room is not None and room[0]:
            raise _conflict("the room is locked", "room_locked")
        busy = db.execute(
            "SELECT 1 FROM epn_sessions "
            "WHERE location = ? AND seat = ? AND state = 'active' AND ends_at > ?",
            (location, body.seat, now),
        ).fetchone()
        if busy:
            raise _conflict("the seat is in use", "seat_busy")
        minutes = body.minutes
        if body.guest_ticket is not None:
            ticket_hash = secret_hash(body.guest_ticket)
            ticket = db.execute(
                "SELECT * FROM guest_tickets WHERE code_hash = ? AND used = 0 AND expires_at > ?",
                (ticket_hash, now),
            ).fetchone()
            if ticket is None:
                raise _conflict("the guest ticket is not valid", "ticket_invalid")
            db.execute("UPDATE guest_tickets SET used = 1 WHERE code_hash = ?", (ticket_hash,))
            minutes = min(minutes, int(ticket["minutes"]))
        else:
            left = config.epn_daily_minutes - _minutes_used(db, str(body.person_key), now)
            if left <= 0:
                raise _conflict("today's time is used up", "quota_exhausted")
            minutes = min(minutes, left)
        session_id = "epn-" + secrets.token_hex(8)
        db.execute(
            "INSERT INTO epn_sessions (session_id, terminal_id, seat, person_key, guest, "
            "started_at, ends_at, state, location) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?)",
            (
                session_id,
                terminal_id,
                body.seat,
                body.person_key,
                int(body.guest_ticket is not None),
                now,
                now + minutes * 60,
                location,
            ),
        )
        row = db.execute("SELECT * FROM epn_sessions WHERE session_id = ?", (session_id,))
        return 201, _session(row.fetchone(), now)

    return idempotent(request, "epn:" + terminal_id, key, body, create)


def _load_session(request: Request, session_id: str, caller: Caller) -> sqlite3.Row:
    rows = store_of(request).query("SELECT * FROM epn_sessions WHERE session_id = ?", (session_id,))
    if not rows:
        raise ProblemError(404, "Not Found", "no such session", "not_found")
    if not caller.serves(rows[0]["location"]):
        raise outside_location("this session is at a location of another room")
    return rows[0]


@router.get(
    "/sessions/{session_id}",
    response_model=EpnSession,
    responses=problem_docs(401, 403, 404, 422),
)
async def get_session(request: Request, session_id: SessionId, caller: AnyCaller) -> Response:
    """A session of the caller's location(s)."""
    now = now_of(request)
    row = _load_session(request, session_id, caller)
    return json_response(200, _session(row, now).model_dump_json())


@router.post(
    "/sessions/{session_id}/extend",
    response_model=EpnSession,
    responses=problem_docs(401, 403, 404, 409, 422),
)
async def extend_session(
    request: Request, session_id: SessionId, body: EpnSessionExtend, caller: AnyCaller
) -> Response:
    """Add minutes to an active session of the caller's location(s) (an animator's decision,
    at the station or from the animator's console: no quota check)."""
    now = now_of(request)
    row = _load_session(request, session_id, caller)
    if _session(row, now).state != "active":
        raise _conflict("the session has ended", "session_ended")
    store_of(request).execute(
        "UPDATE epn_sessions SET ends_at = ends_at + ? WHERE session_id = ?",
        (body.minutes * 60, session_id),
    )
    row = _load_session(request, session_id, caller)
    return json_response(200, _session(row, now).model_dump_json())


@router.post(
    "/sessions/{session_id}/end",
    response_model=EpnSession,
    responses=problem_docs(401, 403, 404, 422),
)
async def end_session(request: Request, session_id: SessionId, caller: AnyCaller) -> Response:
    """End a session of the caller's location(s) now (ending an ended one changes nothing)."""
    now = now_of(request)
    _load_session(request, session_id, caller)
    store_of(request).execute(
        "UPDATE epn_sessions SET state = 'ended', ends_at = min(ends_at, ?) WHERE session_id = ?",
        (now, session_id),
    )
    row = _load_session(request, session_id, caller)
    return json_response(200, _session(row, now).model_dump_json())


@router.get("/quota/{person_key}", response_model=EpnQuota, responses=problem_docs(401, 422))
async def quota(
    request: Request, person_key: Annotated[PersonKey, Path()], _caller: AnyCaller
) -> Response:
    """Minutes used today by the person behind this keyed hash."""
    now = now_of(request)
    with store_of(request).transaction() as db:
        used = _minutes_used(db, person_key, now)
    answer = EpnQuota(
        person_key=person_key,
        day=timestamp(now).date(),
        minutes_used=used,
        minutes_allowed=config_of(request).epn_daily_minutes,
    )
    return json_response(200, answer.model_dump_json())


@router.post(
    "/guest-tickets",
    response_model=GuestTicket,
    status_code=201,
    responses=problem_docs(401, 422, idempotent=True),
)
async def guest_ticket(
    request: Request,
    body: GuestTicketRequest,
    caller: AnyCaller,
    key: IdempotencyKey = None,
) -> Response:
    """A ticket for a visitor without an eID, valid one day, for one session (a station,
    an animator or city IT makes it)."""
    now = now_of(request)

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        chars = "".join(secrets.choice(_TICKET_ALPHABET) for _ in range(8))
        code = f"{chars[:4]}-{chars[4:]}"
        expires = now + GUEST_TICKET_VALIDITY_S
        # Only its hash is kept: the ticket is a credential, shown once to whoever made it.
        db.execute(
            "INSERT INTO guest_tickets (code_hash, minutes, expires_at, used) VALUES (?, ?, ?, 0)",
            (secret_hash(code), body.minutes, expires),
        )
        return 201, GuestTicket(
            code=code, minutes=body.minutes, expires_at=timestamp(expires), used=False
        )

    return idempotent(
        request,
        f"tickets:{caller.role}:{caller.name}",
        key,
        body,
        create,
        TOKEN_RETENTION_S,
        secret=True,
    )


def _room(request: Request, location: str) -> RoomState:
    now = now_of(request)
    store = store_of(request)
    rows = store.query("SELECT locked, message FROM rooms WHERE location = ?", (location,))
    locked, message = (bool(rows[0]["locked"]), rows[0]["message"]) if rows else (False, "")
    active = {
        row["seat"]: row
        for row in store.query(
            "SELECT * FROM epn_sessions WHERE location = ? AND state = 'active' AND ends_at > ?",
            (location, now),
        )
    }
    seats = [
        Seat(
            seat=seat,
            state="busy",
            session_id=active[seat]["session_id"],
            ends_at=timestamp(active[seat]["ends_at"]),
        )
        if seat in active
        else Seat(seat=seat, state="free")
        for seat in config_of(request).seats
    ]
    return RoomState(locked=locked, message=message, seats=seats)


_ROOM_NAMED = ("a location", "location_required")


@router.get(
    "/room", response_model=RoomState, responses=problem_docs(401, 403, 422, missing=_ROOM_NAMED)
)
async def room_state(
    request: Request, caller: AnyCaller, location: LocationQuery = None
) -> Response:
    """Every seat of a location's room at a glance."""
    room = _room(request, _room_location(caller, location))
    return json_response(200, room.model_dump_json())


@router.put(
    "/room/lock",
    response_model=RoomState,
    responses=problem_docs(401, 403, 422, missing=_ROOM_NAMED),
)
async def lock_room(
    request: Request, body: RoomLock, caller: Staff, location: LocationQuery = None
) -> Response:
    """Lock (for a workshop) or unlock every screen of a room: an animator of its location,
    or city IT."""
    where = _room_location(caller, location)
    store_of(request).execute(
        "INSERT INTO rooms (location, locked, message) VALUES (?, ?, ?) "
        "ON CONFLICT (location) DO UPDATE SET locked = excluded.locked, "
        "message = excluded.message",
        (where, int(body.locked), body.message),
    )
    return json_response(200, _room(request, where).model_dump_json())


@router.post(
    "/commands",
    response_model=TerminalCommand,
    status_code=201,
    responses=problem_docs(401, 403, 404, 422, idempotent=True),
)
async def send_command(
    request: Request, body: CommandRequest, caller: Staff, key: IdempotencyKey = None
) -> Response:
    """Queue a command for a terminal; it gets it with its next heartbeat answer. An animator
    sends end_session, show_message, lock and unlock to the stations of its locations; city
    IT sends any command to any terminal."""
    now = now_of(request)
    if caller.role != "admin" and body.kind not in ANIMATOR_COMMANDS:
        raise forbidden_role(f"only city IT sends {body.kind}")

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        target = db.execute(
            "SELECT location FROM terminals WHERE terminal_id = ?", (body.terminal_id,)
        ).fetchone()
        if target is None:
            raise ProblemError(404, "Not Found", "no such terminal", "not_found")
        if not caller.serves(target["location"]):
            raise outside_location("this terminal is not at a location of this animator")
        command_id = "cmd-" + secrets.token_hex(8)
        db.execute(
            "INSERT INTO commands (command_id, terminal_id, kind, argument, issued_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (command_id, body.terminal_id, body.kind, body.argument, now),
        )
        return 201, TerminalCommand(
            command_id=command_id,
            kind=body.kind,
            argument=body.argument,
            issued_at=timestamp(now),
        )

    return idempotent(request, f"commands:{caller.role}:{caller.name}", key, body, create)
