"""Find and mask Belgian national numbers (rijksregisternummer / numéro de registre national).

A national number is 11 digits YYMMDDSSSCC, often written YY.MM.DD-SSS.CC. The last two
digits are 97 minus the first nine modulo 97; for people born in 2000 or later the nine
digits are prefixed with a 2 before the modulo. Only numbers whose check digits hold are
masked, so ordinary 11-digit numbers (counters, phone numbers) stay readable in logs.
"""

from __future__ import annotations

import re

MASK = "[national-number]"

# Digits with the usual separators, never inside a longer run of digits.
_CANDIDATE = re.compile(
    r"(?<![0-9])"
    r"([0-9]{2})[. ]?([0-9]{2})[. ]?([0-9]{2})[-. ]?([0-9]{3})[. ]?([0-9]{2})"
    r"(?![0-9])"
)


def is_national_number(digits: str) -> bool:
    """True when `digits` (exactly 11 digits, no separators) passes the mod-97 check."""
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - (2_000_000_000 + body) % 97)


def redact_national_numbers(text: str) -> str:
    """`text` with every valid national number replaced by MASK."""

    def replace(match: re.Match[str]) -> str:
        return MASK if is_national_number("".join(match.groups())) else match.group(0)

    return _CANDIDATE.sub(replace, text)
