"""Find and mask Belgian national numbers (rijksregisternummer / numéro de registre national).

A national number is 11 digits YYMMDDSSSCC, often written YY.MM.DD-SSS.CC. The last two
digits are 97 minus the first nine modulo 97; for people born in 2000 or later the nine
digits are prefixed with a 2 before the modulo. Only numbers whose check digits hold are
masked, so ordinary 11-digit numbers (counters, phone numbers) stay readable in logs.

A number is found in the forms a log line can carry it in:
- plain, dotted or spaced (85073003328, 85.07.30-033.28, 850730 033 28);
- glued to other digits (`repr(bytes)` writes b'\\x0185073003328', a TLV dump glues the
  length to the value): any 11 digits inside a longer run are masked when their check digits
  hold and they read as a birth date (month 0-12, or 20-32 / 40-52 for a "bis" number, day
  0-31), which keeps most long numbers (timestamps, counters) readable;
- as full-width or other Unicode digits (U+FF10 to U+FF19...), and as `\\u0038`-style escapes of
  digits (JSON written with ensure_ascii);
- as the hex of its ASCII digits (38 35 30 37 ..., 3835303733..., \\x38\\x35...), the way a
  byte dump shows the card's identity file.
Privacy wins over readability: a masked look-alike costs a log line a number, a missed
national number cannot be taken back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

MASK = "[national-number]"

# 11 digits with the usual separators; searched at every position (the lookahead) so that a
# number glued to other digits is found too. Whether it is glued is judged afterwards.
_CANDIDATE = re.compile(
    r"(?=(([0-9]{2})[. ]?([0-9]{2})[. ]?([0-9]{2})[-. ]?([0-9]{3})[. ]?([0-9]{2})))"
)
# The hex of 11 ASCII digits: "3X" pairs, each maybe written \x3X or 0x3X, maybe separated.
_HEX_RUN = re.compile(r"(?:(?:\\x|0x)?3[0-9][ :]?){11,}", re.IGNORECASE)
_HEX_PAIR = re.compile(r"(?:\\x|0x)?3([0-9])", re.IGNORECASE)
# What must be rewritten to ASCII digits before searching: a backslash escape of a digit (ASCII
# or full-width), or a non-ASCII decimal digit. Separators written full-width come along.
_ESCAPED_DIGIT = re.compile(r"\\+(?:u(?:003|ff1)|U0000(?:003|ff1))([0-9])", re.IGNORECASE)
_UNICODE_DIGIT = re.compile(r"[^\x00-\x7f]")
_SEPARATORS = {".", " ", "-"}
_ASCII_DIGITS = frozenset("0123456789")


def is_national_number(digits: str) -> bool:
    """True when `digits` (exactly 11 digits, no separators) passes the mod-97 check."""
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        return False
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - (2_000_000_000 + body) % 97)


def reads_as_birth_date(digits: str) -> bool:
    """YYMMDD plausible for a national number: month 0-12 (20-32, 40-52 for a bis number),
    day 0-31 (0 when the register does not know them)."""
    month, day = int(digits[2:4]), int(digits[4:6])
    return month % 20 <= 12 and month <= 52 and day <= 31


def _masks(digits: str, glued: bool) -> bool:
    return is_national_number(digits) and (not glued or reads_as_birth_date(digits))


def _normalised(text: str) -> tuple[str, list[int] | None]:
    """`text` with escaped and non-ASCII digits (and their separators) as ASCII, one character
    each, and where each character of the result starts in `text` (None: the same places)."""
    if not _ESCAPED_DIGIT.search(text) and (text.isascii() or not _has_unicode_digit(text)):
        return text, None
    chars: list[str] = []
    starts: list[int] = []
    i = 0
    for match in _ESCAPED_DIGIT.finditer(text):
        _plain(text, i, match.start(), chars, starts)
        chars.append(match.group(1))
        starts.append(match.start())
        i = match.end()
    _plain(text, i, len(text), chars, starts)
    starts.append(len(text))
    return "".join(chars), starts


def _has_unicode_digit(text: str) -> bool:
    return any(ch.isdecimal() for ch in _UNICODE_DIGIT.findall(text))


def _plain(text: str, start: int, end: int, chars: list[str], starts: list[int]) -> None:
    for i in range(start, end):
        ch = text[i]
        if not ch.isascii():
            if ch.isdecimal():
                ch = str(unicodedata.decimal(ch))
            else:
                folded = unicodedata.normalize("NFKC", ch)
                ch = folded if folded in _SEPARATORS else ch
        chars.append(ch)
        starts.append(i)


def _digit_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of `text` that hold a national number written with digits."""
    normal, starts = _normalised(text)
    for match in _CANDIDATE.finditer(normal):
        start, end = match.start(1), match.end(1)
        glued = (start > 0 and normal[start - 1] in _ASCII_DIGITS) or (
            end < len(normal) and normal[end] in _ASCII_DIGITS
        )
        if _masks("".join(match.groups()[1:]), glued):
            yield (start, end) if starts is None else (starts[start], starts[end])


def _hex_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of `text` that hold the hex of a national number's ASCII digits."""
    for run in _HEX_RUN.finditer(text):
        pairs = list(_HEX_PAIR.finditer(text, run.start(), run.end()))
        digits = "".join(p.group(1) for p in pairs)
        for i in range(len(digits) - 10):
            if _masks(digits[i : i + 11], glued=len(digits) > 11):
                yield pairs[i].start(), pairs[i + 10].end()


def redact_national_numbers(text: str) -> str:
    """`text` with every valid national number replaced by MASK."""
    spans = sorted([*_digit_spans(text), *_hex_spans(text)])
    if not spans:
        return text
    out: list[str] = []
    done = 0
    for start, end in spans:
        if start < done:  # overlaps the span just masked: widen it
            done = max(done, end)
            continue
        out.append(text[done:start])
        out.append(MASK)
        done = end
    out.append(text[done:])
    return "".join(out)
