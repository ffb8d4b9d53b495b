"""The wire models both sides share: the ones that carry a secret or card data never print it."""

from __future__ import annotations

import base64
import datetime

from cityapi.models import CitizenAuthentication, CitizenSession, TerminalToken


def test_models_with_secrets_have_redacted_reprs() -> None:
    token = TerminalToken(terminal_id="t", token="s3cret-token", issued_at=datetime.datetime.now())
    session = CitizenSession(citizen_token="citizen-s3cret", expires_at=datetime.datetime.now())
    blob = base64.b64encode(b"Van den Broeck 87021424602").decode()
    answer = CitizenAuthentication(
        challenge_id="c",
        identity=blob,
        identity_signature=blob,
        address=blob,
        address_signature=blob,
        rrn_certificate=blob,
        authentication_certificate=blob,
        challenge_signature=blob,
    )
    for model, secret in ((token, "s3cret"), (session, "s3cret"), (answer, blob)):
        assert secret not in repr(model) and secret not in str(model)
        assert secret not in f"{model!r} {model}"
