"""Answers kept for retries that carry a secret (a terminal or citizen token) are sealed.

An idempotent POST's answer is kept so that a retry gets it again (the kiosk retries every
POST with its Idempotency-Key when an answer is lost). When that answer holds a token, the
row would put the token on disk in clear; so it is kept encrypted (AES-256-GCM) under a key
the database never holds: `cityserver serve --secrets-key-file` (kept across restarts), or
else a key made up at start and held in memory only (a retry after a restart then learns
the answer is gone, 410, and the terminal rotates its token, enrols again or authenticates
the citizen again). Each seal is bound to its row (scope, key and request fingerprint), so a
sealed answer moved to another row does not open.

Why seal rather than answer every retry without the secret: a lost answer would then always
cost a new enrolment code or a new card signature, where today's retries just work.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
_NONCE_BYTES = 12
_PREFIX = "sealed:v1:"


class AnswerSeal:
    def __init__(self, key: bytes | None = None) -> None:
        if key is not None and len(key) != KEY_BYTES:
            raise ValueError(f"the secrets key is {KEY_BYTES} bytes")
        self._aead = AESGCM(key if key is not None else AESGCM.generate_key(bit_length=256))

    def __repr__(self) -> str:
        return "AnswerSeal(<key>)"

    def seal(self, plain: str, context: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plain.encode(), context.encode())
        return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, context: str) -> str | None:
        """The plain answer; None when it cannot be opened (another key, another row)."""
        if not sealed.startswith(_PREFIX):
            return None
        try:
            raw = base64.b64decode(sealed.removeprefix(_PREFIX), validate=True)
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
        except (InvalidTag, ValueError, binascii.Error):
            return None
        return plain.decode()


def read_key(text: str) -> bytes:
    """The key from its file's text: one line, the base64 of 32 random bytes."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"not {KEY_BYTES} bytes")
    return key
