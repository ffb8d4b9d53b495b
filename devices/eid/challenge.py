"""What a citizen's card signs to prove who is at the terminal, defined once for both ends.

The city's server sends a nonce of exactly `NONCE_BYTES` random bytes. The card never signs
that nonce (nor anything else the server chose) as it is: kiosk and server both sign and
verify the hash of

    PROTOCOL || len(terminal id) (1 byte) || terminal id (ASCII) || nonce (32 bytes)

so the signature names this protocol and its version, the terminal it was made at and the
nonce, and cannot be the signature of a TLS handshake, a document or another site's
challenge: the hash the card signs is always that of a message starting with `PROTOCOL`.
The kiosk's card layer refuses to sign anything that is not such a message
(`is_signed_message`), and the server verifies only such messages.
"""

from __future__ import annotations

import re

PROTOCOL = b"BE-KIOSK-CITIZEN-AUTH/v1\x00"
NONCE_BYTES = 32
MAX_TERMINAL_ID_BYTES = 64
# The wire's terminal ids (cityapi Identifier) and the kiosk's configured ones: printable,
# no separator that a length prefix would need to escape.
_TERMINAL_ID = re.compile(rb"[A-Za-z0-9_.-]{1,%d}" % MAX_TERMINAL_ID_BYTES)


class NotAChallenge(ValueError):
    """A value that is not this protocol's challenge (wrong nonce size, bad terminal id)."""


def signed_message(terminal_id: str, nonce: bytes | bytearray) -> bytes:
    """The message whose hash the card signs for `nonce` at `terminal_id`."""
    if len(nonce) != NONCE_BYTES:
        raise NotAChallenge(f"a challenge nonce is {NONCE_BYTES} bytes, not {len(nonce)}")
    try:
        name = terminal_id.encode("ascii")
    except UnicodeEncodeError:
        raise NotAChallenge("a terminal id is ASCII") from None
    if not _TERMINAL_ID.fullmatch(name):
        raise NotAChallenge("a terminal id is 1 to 64 letters, digits, '_', '-' or '.'")
    return PROTOCOL + bytes([len(name)]) + name + bytes(nonce)


def is_signed_message(message: bytes | bytearray) -> bool:
    """Whether `message` is exactly a `signed_message(...)` (and nothing else)."""
    data = bytes(message)
    if not data.startswith(PROTOCOL) or len(data) <= len(PROTOCOL):
        return False
    size = data[len(PROTOCOL)]
    name = data[len(PROTOCOL) + 1 : len(PROTOCOL) + 1 + size]
    nonce = data[len(PROTOCOL) + 1 + size :]
    return (
        len(name) == size and _TERMINAL_ID.fullmatch(name) is not None and len(nonce) == NONCE_BYTES
    )
