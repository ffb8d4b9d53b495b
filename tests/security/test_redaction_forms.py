"""A citizen's national number reaches a log line in a form the redaction did not know: inside
`repr(bytes)` (a card response logged while debugging), glued to a length byte or other
digits, as the hex of its ASCII digits (a byte dump of the identity file), as `\\u` escapes
(JSON written with ensure_ascii) or in full-width digits. Whatever the form, the number must
not be readable in the log, neither through the redaction function nor through logging."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kiosk.logs import setup_logging
from kiosk.redact import MASK, redact_national_numbers

births = st.dates(min_value=date(1920, 1, 1), max_value=date(2029, 12, 31))
serials = st.integers(min_value=1, max_value=997)


def national_number(born: date, serial: int) -> str:
    body = f"{born:%y%m%d}{serial:03d}"
    prefix = 2_000_000_000 if born.year >= 2000 else 0
    return body + f"{97 - (prefix + int(body)) % 97:02d}"


def formatted(number: str) -> str:
    return f"{number[0:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:11]}"


def full_width(text: str) -> str:
    return "".join(
        chr(0xFF10 + int(c)) if c.isdigit() else chr(0xFF00 + ord(c) - 0x20) for c in text
    )


def escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


# Each form: how the attacker's log line shows the number, and what must not survive of it.
FORMS = {
    "repr of the bytes": lambda n, junk: (repr(junk + n.encode() + junk), n),
    "glued to digits": lambda n, junk: (f"{junk.hex()}{n}{len(junk)}", n),
    "hex": lambda n, junk: (f"{junk.hex()}{n.encode().hex()}{junk.hex()}", n.encode().hex()),
    "hex with spaces": lambda n, junk: (f"data {n.encode().hex(' ')} end", n.encode().hex(" ")),
    "hex upper with colons": lambda n, junk: (n.encode().hex(":").upper(), n.encode().hex(":")),
    "\\x escapes": lambda n, junk: (_x_escaped(n.encode()), _x_escaped(n.encode())),
    "json of full-width digits": lambda n, junk: (json.dumps({"nn": full_width(n)}), n),
    "\\u escaped digits": lambda n, junk: (json.dumps({"nn": escaped(n)})[1:-1], escaped(n)),
    "full-width": lambda n, junk: (f"nn={full_width(n)}", full_width(n)),
    "full-width formatted": lambda n, junk: (full_width(formatted(n)), full_width(formatted(n))),
    "formatted": lambda n, junk: (f"nn {formatted(n)}", formatted(n)),
}


def _x_escaped(data: bytes) -> str:
    return "".join(f"\\x{b:02x}" for b in data)


def hex_digits(text: str) -> str:
    """The hex a reader sees once prefixes and separators are taken out."""
    return re.sub(r"\\x|0x|[ :]", "", text, flags=re.IGNORECASE).lower()


def normal_digits(text: str) -> str:
    """Every way a reader gets digits back: escapes decoded, full-width folded."""
    decoded = text.encode().decode("unicode_escape", errors="replace") if "\\u" in text else text
    return "".join(str(int(c)) if c.isdecimal() else c for c in decoded)


@given(births, serials, st.sampled_from(sorted(FORMS)), st.binary(min_size=1, max_size=4))
def test_no_form_of_the_number_survives_redaction(
    born: date, serial: int, form: str, junk: bytes
) -> None:
    number = national_number(born, serial)
    line, shown = FORMS[form](number, junk)
    out = redact_national_numbers(line)
    assert MASK in out, (form, line, out)
    assert shown not in out and shown.upper() not in out, (form, line, out)
    assert number not in normal_digits(out), (form, line, out)
    assert number.encode().hex() not in hex_digits(out), (form, line, out)


def test_the_forms_do_not_reach_a_log_handler() -> None:
    number = national_number(date(1985, 7, 30), 33)
    stream = io.StringIO()
    setup_logging(stream=stream)
    try:
        log = logging.getLogger("kiosk.attacker")
        for form in sorted(FORMS):
            line, _ = FORMS[form](number, b"\x01\x0b")
            log.warning("card answered %s", line)
    finally:
        setup_logging()
    text = stream.getvalue()
    assert text.count(MASK) >= len(FORMS)
    assert number not in normal_digits(text)
    assert number.encode().hex() not in hex_digits(text)
