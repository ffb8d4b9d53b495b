"""EPN (public PC rooms): sessions, daily quota per person, guest tickets, room, animators,
commands. A plain first implementation, so the contract is exercised end to end; the EPN
issue refines the rules. People are known only by a keyed hash of their national number.
"""

from __future__ import annotations

import datetime
import secrets
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel
from starlette.responses import Response

from cityapi.models import (
    AnimatorAccount,
    AnimatorAccountCreate,
    CommandRequest,
    EpnQuota,
    EpnSession,
    EpnSessionExtend,
    EpnSessionStart,
    GuestTicket,
    GuestTicketRequest,
    PersonKey,
    RoomLock,
    RoomState,
    Seat,
    TerminalCommand,
)
from cityserver.problems import ProblemError, problem_docs
from cityserver.replies import (
    config_of,
    idempotent,
    json_response,
    now_of,
    store_of,
    timestamp,
)
from cityserver.routes_terminals import IdempotencyKey
from cityserver.security import TerminalId

router = APIRouter(prefix="/v1/epn", tags=["epn"])

GUEST_TICKET_VALIDITY_S = 24 * 3600.0
_TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SessionId = Annotated[str, Path(max_length=64)]


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
    """Start a timed session on a free seat, for a person within quota or a guest ticket."""
    now = now_of(request)
    config = config_of(request)

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        # Exactly one of person_key and guest_ticket: the model says so (and the contract).
        if body.seat not in config.seats:
            raise ProblemError(422, "Unprocessable Content", "no such seat", "unknown_seat")
        if db.execute("SELECT locked FROM room WHERE id = 1").fetchone()[0]:
            raise _conflict("the room is locked", "room_locked")
        busy = db.execute(
            "SELECT 1 FROM epn_sessions WHERE seat = ? AND state = 'active' AND ends_at > ?",
            (body.seat, now),
        ).fetchone()
        if busy:
            raise _conflict("the seat is in use", "seat_busy")
        minutes = body.minutes
        if body.guest_ticket is not None:
            ticket = db.execute(
                "SELECT * FROM guest_tickets WHERE code = ? AND used = 0 AND expires_at > ?",
                (body.guest_ticket, now),
            ).fetchone()
            if ticket is None:
                raise _conflict("the guest ticket is not valid", "ticket_invalid")
            db.execute("UPDATE guest_tickets SET used = 1 WHERE code = ?", (body.guest_ticket,))
            minutes = min(minutes, int(ticket["minutes"]))
        else:
            left = config.epn_daily_minutes - _minutes_used(db, str(body.person_key), now)
            if left <= 0:
                raise _conflict("today's time is used up", "quota_exhausted")
            minutes = min(minutes, left)
        session_id = "epn-" + secrets.token_hex(8)
        db.execute(
            "INSERT INTO epn_sessions VALUES (?, ?, ?, ?, ?, ?, ?, 'active')",
            (
                session_id,
                terminal_id,
                body.seat,
                body.person_key,
                int(body.guest_ticket is not None),
                now,
                now + minutes * 60,
            ),
        )
        row = db.execute("SELECT * FROM epn_sessions WHERE session_id = ?", (session_id,))
        return 201, _session(row.fetchone(), now)

    return idempotent(request, "epn:" + terminal_id, key, body, create)


def _load_session(request: Request, session_id: str) -> sqlite3.Row:
    rows = store_of(request).query("SELECT * FROM epn_sessions WHERE session_id = ?", (session_id,))
    if not rows:
        raise ProblemError(404, "Not Found", "no such session", "not_found")
    return rows[0]


@router.get(
    "/sessions/{session_id}", response_model=EpnSession, responses=problem_docs(401, 404, 422)
)
async def get_session(request: Request, session_id: SessionId, _t: TerminalId) -> Response:
    now = now_of(request)
    return json_response(200, _session(_load_session(request, session_id), now).model_dump_json())


@router.post(
    "/sessions/{session_id}/extend",
    response_model=EpnSession,
    responses=problem_docs(401, 404, 409, 422),
)
async def extend_session(
    request: Request, session_id: SessionId, body: EpnSessionExtend, _t: TerminalId
) -> Response:
    """Add minutes to an active session (an animator's decision: no quota check)."""
    now = now_of(request)
    row = _load_session(request, session_id)
    if _session(row, now).state != "active":
        raise _conflict("the session has ended", "session_ended")
    store_of(request).execute(
        "UPDATE epn_sessions SET ends_at = ends_at + ? WHERE session_id = ?",
        (body.minutes * 60, session_id),
    )
    return json_response(200, _session(_load_session(request, session_id), now).model_dump_json())


@router.post(
    "/sessions/{session_id}/end", response_model=EpnSession, responses=problem_docs(401, 404, 422)
)
async def end_session(request: Request, session_id: SessionId, _t: TerminalId) -> Response:
    """End a session now (ending an ended session changes nothing)."""
    now = now_of(request)
    _load_session(request, session_id)
    store_of(request).execute(
        "UPDATE epn_sessions SET state = 'ended', ends_at = min(ends_at, ?) WHERE session_id = ?",
        (now, session_id),
    )
    return json_response(200, _session(_load_session(request, session_id), now).model_dump_json())


@router.get("/quota/{person_key}", response_model=EpnQuota, responses=problem_docs(401, 422))
async def quota(
    request: Request, person_key: Annotated[PersonKey, Path()], _t: TerminalId
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
    terminal_id: TerminalId,
    key: IdempotencyKey = None,
) -> Response:
    """A ticket for a visitor without an eID, valid one day, for one session."""
    now = now_of(request)

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        chars = "".join(secrets.choice(_TICKET_ALPHABET) for _ in range(8))
        code = f"{chars[:4]}-{chars[4:]}"
        expires = now + GUEST_TICKET_VALIDITY_S
        db.execute("INSERT INTO guest_tickets VALUES (?, ?, ?, 0)", (code, body.minutes, expires))
        return 201, GuestTicket(
            code=code, minutes=body.minutes, expires_at=timestamp(expires), used=False
        )

    return idempotent(request, "tickets:" + terminal_id, key, body, create)


def _room(request: Request) -> RoomState:
    now = now_of(request)
    store = store_of(request)
    room = store.query("SELECT locked, message FROM room WHERE id = 1")[0]
    active = {
        row["seat"]: row
        for row in store.query(
            "SELECT * FROM epn_sessions WHERE state = 'active' AND ends_at > ?", (now,)
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
    return RoomState(locked=bool(room["locked"]), message=room["message"], seats=seats)


@router.get("/room", response_model=RoomState, responses=problem_docs(401))
async def room_state(request: Request, _t: TerminalId) -> Response:
    """Every seat at a glance."""
    return json_response(200, _room(request).model_dump_json())


@router.put("/room/lock", response_model=RoomState, responses=problem_docs(401, 422))
async def lock_room(request: Request, body: RoomLock, _t: TerminalId) -> Response:
    """Lock (for a workshop) or unlock every screen of the room."""
    store_of(request).execute(
        "UPDATE room SET locked = ?, message = ? WHERE id = 1", (int(body.locked), body.message)
    )
    return json_response(200, _room(request).model_dump_json())


def _animator(row: sqlite3.Row) -> AnimatorAccount:
    return AnimatorAccount(
        username=row["username"],
        display_name=row["display_name"],
        active=bool(row["active"]),
        created_at=timestamp(row["created_at"]),
    )


@router.get("/animators", response_model=list[AnimatorAccount], responses=problem_docs(401))
async def list_animators(request: Request, _t: TerminalId) -> Response:
    rows = store_of(request).query("SELECT * FROM animators ORDER BY username")
    body = "[" + ",".join(_animator(row).model_dump_json() for row in rows) + "]"
    return json_response(200, body)


@router.post(
    "/animators",
    response_model=AnimatorAccount,
    status_code=201,
    responses=problem_docs(401, 409, 422, idempotent=True),
)
async def create_animator(
    request: Request,
    body: AnimatorAccountCreate,
    terminal_id: TerminalId,
    key: IdempotencyKey = None,
) -> Response:
    now = now_of(request)

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        try:
            db.execute(
                "INSERT INTO animators VALUES (?, ?, 1, ?)", (body.username, body.display_name, now)
            )
        except sqlite3.IntegrityError:
            raise _conflict("this username exists", "username_taken") from None
        row = db.execute("SELECT * FROM animators WHERE username = ?", (body.username,))
        return 201, _animator(row.fetchone())

    return idempotent(request, "animators:" + terminal_id, key, body, create)


@router.post(
    "/commands",
    response_model=TerminalCommand,
    status_code=201,
    responses=problem_docs(401, 404, 422, idempotent=True),
)
async def send_command(
    request: Request, body: CommandRequest, terminal_id: TerminalId, key: IdempotencyKey = None
) -> Response:
    """Queue a command for a terminal; it gets it with its next heartbeat answer."""
    now = now_of(request)

    def create(db: sqlite3.Connection) -> tuple[int, BaseModel]:
        if not db.execute(
            "SELECT 1 FROM terminals WHERE terminal_id = ?", (body.terminal_id,)
        ).fetchone():
            raise ProblemError(404, "Not Found", "no such terminal", "not_found")
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

    return idempotent(request, "commands:" + terminal_id, key, body, create)
