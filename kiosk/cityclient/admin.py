"""City IT's calls to the city API, with the admin token (`kiosk cityapi admin ...`).

The admin token comes from a file of mode 0600, never the command line; it lives in a private
attribute and is never logged or shown by repr. Blocking, like CityApiClient.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from cityapi.models import (
    AnimatorAccountCreate,
    AnimatorToken,
    EnrolmentCode,
    EnrolmentCodeRequest,
)
from kiosk.cityclient.errors import CityApiError, ErrorKind
from kiosk.cityclient.transport import Reply, Transport, error_for_status
from kiosk.config import CityApiSettings

Model = TypeVar("Model", bound=BaseModel)


class AdminTokenError(ValueError):
    """The admin token file is unreadable, open to others, or not one token."""


def read_admin_token(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise AdminTokenError(f"cannot read the admin token from {path}: {reason}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AdminTokenError(f"{path} is open to others; keep the admin token in mode 0600")
    token = text.strip()
    if not token or any(c.isspace() for c in token) or not token.isprintable():
        raise AdminTokenError(f"{path}: the admin token is one line")
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

    def _expect(self, what: str, reply: Reply, model: type[Model], *ok: int) -> Model:
        if reply.status not in ok:
            raise error_for_status(what, reply)
        try:
            return model.model_validate_json(reply.body)
        except ValidationError:
            raise CityApiError(
                ErrorKind.BAD_RESPONSE, f"{what}: answer does not match the contract"
            ) from None

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
        return self._expect("enrolment code", reply, EnrolmentCode, 201)

    def create_animator(
        self, username: str, display_name: str, locations: list[str]
    ) -> AnimatorToken:
        body = AnimatorAccountCreate(
            username=username, display_name=display_name, locations=locations
        )
        reply = self.transport.call(
            "POST", "/v1/admin/animators", headers=self._headers, json_body=body.model_dump_json()
        )
        return self._expect("animator", reply, AnimatorToken, 201)
