"""The maintenance PIN: stored as an scrypt hash in the configuration (`ui.maintenance_pin_hash`),
never in clear, and checked in constant time.

Its own module, loaded only when a maintenance code is checked or a hash is made: OpenSSL's
hashing is not needed before the first frame.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

# The maintenance PIN, stored as `scrypt$N$r$p$salt$key` with base64 salt and key.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_BYTES = 2**14, 8, 1, 32


def hash_maintenance_pin(pin: str, *, salt: bytes | None = None) -> str:
    """The value for `ui.maintenance_pin_hash` (`kiosk maintenance code`, the demo)."""
    salt = salt if salt is not None else os.urandom(16)
    key = hashlib.scrypt(
        pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_KEY_BYTES
    )
    encode = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt).decode()}${encode(key).decode()}"


def check_maintenance_pin(pin: bytes | bytearray, stored: str) -> bool:
    """Whether `pin` (ASCII digits) matches `stored`; False for an empty or malformed hash."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key, validate=True)
        found = hashlib.scrypt(
            bytes(pin),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=256 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(found, expected)
