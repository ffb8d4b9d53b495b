"""The maintenance PIN: stored as an argon2id hash in the configuration
(`ui.maintenance_pin_hash`), never in clear, and checked in constant time.

New hashes are argon2id with RFC 9106's second recommended option (t=3, 64 MiB, p=4; the
argon2-cffi default), in the usual PHC form `$argon2id$v=19$m=65536,t=3,p=4$salt$hash`. A PIN
has few digits, so its hash must be slow and memory-hard to try every code on a stolen
configuration. Hashes made before (`scrypt$N$r$p$salt$key`, N=2^14) are still accepted;
`needs_new_hash` tells `kiosk run` to ask IT to set the code again, which makes an argon2id one
(the kiosk cannot rewrite its configuration itself: it is not the file's owner).

Its own module, loaded only when a maintenance code is checked or a hash is made: OpenSSL's
and argon2's hashing are not needed before the first frame.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from argon2 import PasswordHasher, extract_parameters, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

PROFILE = profiles.RFC_9106_LOW_MEMORY
ARGON2_PREFIX = "$argon2id$"
SCRYPT_PREFIX = "scrypt$"
# A hash from the configuration decides how much work a check does: bounded, so a bad value
# cannot make the kiosk use more than this (scrypt: its maxmem; argon2: memory and passes).
MAX_MEMORY = 256 * 1024 * 1024
MAX_TIME_COST = 16


def _hasher() -> PasswordHasher:
    return PasswordHasher.from_parameters(PROFILE)


def hash_maintenance_pin(pin: str, *, public: bool = False) -> str:
    """The value for `ui.maintenance_pin_hash` (`kiosk maintenance code`, the demo).

    `public`: a code everybody knows (the demo's, printed in its help). No cost protects it,
    so none is paid: the cheapest argon2id, instead of half a second before the demo shows.
    """
    if public:
        return PasswordHasher.from_parameters(profiles.CHEAPEST).hash(pin)
    return _hasher().hash(pin)


def check_maintenance_pin(pin: bytes | bytearray, stored: str) -> bool:
    """Whether `pin` (ASCII digits) matches `stored` (argon2id, or an older scrypt hash);
    False for an empty or malformed hash."""
    if stored.startswith(ARGON2_PREFIX):
        return _check_argon2(bytes(pin), stored)
    if stored.startswith(SCRYPT_PREFIX):
        return _check_scrypt(bytes(pin), stored)
    return False


def needs_new_hash(stored: str) -> bool:
    """True for a hash weaker than today's: an scrypt one, or argon2id at a lower cost."""
    if not stored.startswith(ARGON2_PREFIX):
        return bool(stored)
    try:
        found = extract_parameters(stored)
    except InvalidHashError:
        return True
    return (
        found.time_cost < PROFILE.time_cost
        or found.memory_cost < PROFILE.memory_cost
        or found.hash_len < PROFILE.hash_len
        or found.salt_len < PROFILE.salt_len
    )


def _check_argon2(pin: bytes, stored: str) -> bool:
    try:
        found = extract_parameters(stored)
        if found.memory_cost * 1024 > MAX_MEMORY or found.time_cost > MAX_TIME_COST:
            return False
        return _hasher().verify(stored, pin)
    except VerifyMismatchError:
        return False
    except (InvalidHashError, VerificationError, ValueError):
        return False


def _check_scrypt(pin: bytes, stored: str) -> bool:
    """The hashes `kiosk maintenance code` made before argon2id: `scrypt$N$r$p$salt$key`."""
    try:
        _scheme, n, r, p, salt, key = stored.split("$")
        expected = base64.b64decode(key, validate=True)
        found = hashlib.scrypt(
            pin,
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=MAX_MEMORY,
            dklen=len(expected),
        )
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(found, expected)
