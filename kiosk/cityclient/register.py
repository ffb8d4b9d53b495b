"""City IT's call to the population register: POST /v1/admin/register with the admin token.

Not a terminal's call (a terminal's token gets 403 `forbidden_role`): it serves
`kiosk cityapi register add`, run by city IT. The admin token is passed in, used for this one
call, and never kept, logged or shown; the citizen's entry is never logged either.
"""

from __future__ import annotations

from pydantic import ValidationError

from cityapi.models import RegisteredCitizen, RegisterReceipt
from kiosk.cityclient.errors import CityApiError, ErrorKind
from kiosk.cityclient.transport import Transport, error_for_status


def record_citizen(
    transport: Transport, admin_token: str, citizen: RegisteredCitizen
) -> RegisterReceipt:
    """Add the citizen to the register or replace their entry (a move). A retried call only
    records the same entry again, so the transport's retries are harmless."""
    what = "register"
    reply = transport.call(
        "POST",
        "/v1/admin/register",
        headers={"Authorization": f"Bearer {admin_token}"},
        json_body=citizen.model_dump_json(),
    )
    if reply.status not in (200, 201):
        raise error_for_status(what, reply)
    try:
        return RegisterReceipt.model_validate_json(reply.body)
    except ValidationError:
        raise CityApiError(
            ErrorKind.BAD_RESPONSE, f"{what}: answer does not match the contract"
        ) from None
