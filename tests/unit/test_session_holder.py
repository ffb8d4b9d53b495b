"""The citizen data holder: one place, zeroed at wipe, never copied, never shown."""

from __future__ import annotations

import copy
import pickle

import pytest

from devices.eid.emulator.cardfiles import canary_profile
from session.holder import CitizenData, CitizenDataError
from tests.harness.virtual_citizen import citizen_document, virtual_eid

PROFILE = canary_profile(42)


def filled() -> tuple[CitizenData, list[bytearray]]:
    holder = CitizenData()
    holder.keep_card_read(virtual_eid(PROFILE))
    holder.keep_signature(bytearray(b"\x01" * 64), bytearray(PROFILE.national_number.encode()))
    holder.keep_token(bytearray(b"secret-token"))
    holder.keep_document(citizen_document(PROFILE, "residence"))
    return holder, holder.buffers()


def test_holds_identity_address_photo_tokens_and_document() -> None:
    holder, buffers = filled()
    assert holder.identity.surname == PROFILE.surname
    assert holder.address.street_and_number == PROFILE.street_and_number
    assert bytes(holder.photo) == PROFILE.photo
    assert PROFILE.national_number.encode() in bytes(holder.document)
    assert len(buffers) == 11 and not holder.is_empty()


def test_wipe_zeroes_every_buffer_and_drops_everything_idempotently() -> None:
    holder, buffers = filled()
    holder.wipe()
    assert holder.is_empty() and holder.buffers() == []
    assert all(len(b) and not any(b) for b in buffers)
    with pytest.raises(CitizenDataError):
        _ = holder.identity
    with pytest.raises(CitizenDataError):
        _ = holder.document
    holder.wipe()
    assert holder.is_empty()


def test_replacing_a_buffer_zeroes_the_old_one() -> None:
    holder, _ = filled()
    old = holder.document
    holder.keep_document(bytearray(b"new"))
    assert not any(old)


def test_repr_is_redacted() -> None:
    holder, _ = filled()
    assert repr(holder) == "CitizenData(<redacted>)"
    assert PROFILE.surname not in f"{holder!r} {holder!s}"
    holder.wipe()
    assert repr(holder) == "CitizenData(<empty>)"


def test_copying_and_pickling_are_refused() -> None:
    holder, _ = filled()
    with pytest.raises(TypeError):
        copy.copy(holder)
    with pytest.raises(TypeError):
        copy.deepcopy(holder)
    with pytest.raises(TypeError):
        pickle.dumps(holder)
    assert not hasattr(holder, "__dict__"), "slots only: nothing can be stuck onto it"
