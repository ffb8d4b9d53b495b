"""City IT's calls to the city API, with the admin token (`kiosk cityapi admin ...` and
`kiosk cityapi register add`).

The admin token comes from a file of mode 0600 or stdin, never the command line; it lives in
a private attribute and is never logged or shown by repr. Blocking, like CityApiClient.
"""

from __future__ import annotations

import stat
import sys
import urllib.parse
from pathlib import Path

from cityapi.models import (
    AdminDocuments,
    AnimatorAccountCreate,
    AnimatorToken,
    EnrolmentCode,
    EnrolmentCodeRequest,
    RegisteredCitizen,
    RegisterReceipt,
)
from kiosk.cityclient.transport import Transport, expect
from kiosk.config import CityApiSettings


class AdminTokenError(ValueError):
    """The admin token file is unreadable, open to others, or not one token."""


STDIN = "-"


def read_admin_token(source: str | Path) -> str:
    """City IT's token: the first line of a file only its owner may read, or of stdin (`-`).
    Never taken from the command line."""
    if str(source) == STDIN:
        line = sys.stdin.readline()
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
            mode = path.stat().st_mode
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise AdminTokenError(f"cannot read the admin token from {path}: {reason}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AdminTokenError(f"{path} is open to others; keep the admin token in mode 0600")
        line = (text.splitlines() or [""])[0]
    token = line.strip()
    if not token or any(c.isspace() for c in token) or not token.isprintable():
        raise AdminTokenError("the admin token is one line without spaces")
    return token


class CityAdminClient:
    def __init__(self, settings: CityApiSettings, admin_token: str) -> None:
        if not settings.url:
            raise ValueError("no city API URL configured (cityapi.url)")
        self.transport = Transport(settings, settings.url)
        self._headers = {"Authorization": f"Bearer {admin_token}"}

    def __repr__(self) -> str:
        return f"CityAdminClient({self.transport.base_url})"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> CityAdminClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def enrolment_code(
        self, terminal_id: str, location: str, valid_for_s: int | None = None
    ) -> EnrolmentCode:
        """A one-time code for one terminal id (ValueError when the ids do not fit)."""
        body = EnrolmentCodeRequest(
            terminal_id=terminal_id, location=location, valid_for_s=valid_for_s
        )
        reply = self.transport.call(
            "POST",
            "/v1/admin/enrolment-codes",
            headers=self._headers,
            json_body=body.model_dump_json(exclude_none=True),
        )
        return expect("enrolment code", reply, EnrolmentCode, 201)

    def create_animator(
        self, username: str, display_name: str, locations: list[str]
    ) -> AnimatorToken:
        body = AnimatorAccountCreate(
            username=username, display_name=display_name, locations=locations
        )
        reply = self.transport.call(
            "POST", "/v1/admin/animators", headers=self._headers, json_body=body.model_dump_json()
        )
        return expect("animator", reply, AnimatorToken, 201)

    def record_citizen(self, citizen: RegisteredCitizen) -> RegisterReceipt:
        """Add the citizen to the population register or replace their entry (a move). A
        retried call records the same entry again, so the transport's retries are harmless.
        The entry is citizen data: never logged."""
        reply = self.transport.call(
            "POST", "/v1/admin/register", headers=self._headers, json_body=citizen.model_dump_json()
        )
        return expect("register", reply, RegisterReceipt, 200, 201)

    def documents(
        self, terminal_id: str | None = None, handed_over: bool | None = None
    ) -> AdminDocuments:
        """The city's documents, newest first: what, where, when, and their outcome (never
        who). `handed_over=False`: issued but not reported printed."""
        query: dict[str, str] = {}
        if terminal_id is not None:
            query["terminal_id"] = terminal_id
        if handed_over is not None:
            query["handed_over"] = "true" if handed_over else "false"
        path = "/v1/admin/documents"
        if query:
            path += "?" + urllib.parse.urlencode(query)
        reply = self.transport.call("GET", path, headers=self._headers)
        return expect("documents", reply, AdminDocuments, 200)
