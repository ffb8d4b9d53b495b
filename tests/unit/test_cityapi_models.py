"""The wire models both sides share: the ones that carry a secret or card data never print it;
a text for the kiosk (Localized) has a string for each language of the list."""

from __future__ import annotations

import base64
import datetime

import pytest
from pydantic import ValidationError

from cityapi.models import (
    LANGUAGES,
    CatalogueItem,
    CitizenAuthentication,
    CitizenSession,
    Localized,
    TerminalToken,
)


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


def test_a_localized_text_has_each_language_of_the_list() -> None:
    schema = Localized.model_json_schema()
    assert schema["type"] == "object"
    assert schema["required"] == list(LANGUAGES)
    assert list(schema["properties"]) == list(LANGUAGES)
    assert all(schema["properties"][code]["type"] == "string" for code in LANGUAGES)
    text = Localized({code: f"text in {code}" for code in LANGUAGES})
    assert [text.get(code) for code in LANGUAGES] == [f"text in {code}" for code in LANGUAGES]
    assert all(code in text for code in LANGUAGES)
    assert Localized.model_validate_json(text.model_dump_json()) == text


def test_a_localized_text_missing_a_language_is_refused() -> None:
    missing = {code: "x" for code in LANGUAGES[1:]}
    with pytest.raises(ValidationError, match=f"no text in {LANGUAGES[0]}"):
        Localized(missing)
    with pytest.raises(ValidationError):
        Localized.model_validate({**missing, LANGUAGES[0]: 5})  # a text is a string


def test_a_localized_text_may_carry_a_language_beyond_the_list() -> None:
    # A server that knows more languages (one added beside the list) sends them along: kept,
    # so a kiosk that knows that language too shows the city's words in it.
    words = {**{code: "x" for code in LANGUAGES}, "eo": "Esperanto"}
    text = Localized.model_validate(words)
    assert text.get("eo") == "Esperanto" and "eo" in text and "xx" not in text
    with pytest.raises(KeyError):
        text.get("xx")
    item = CatalogueItem(
        id="life",
        name=text,
        description=text,
        price_cents=0,
        authentication="eid_pin",
        delivery="instant",
        icon="heart",
    )
    assert hash(item) == hash(item.model_copy())  # frozen models still hash
    assert Localized(dict(reversed(words.items()))) == text
    assert hash(Localized(dict(reversed(words.items())))) == hash(text)
