"""National numbers are masked wherever they appear in a log record, and only they are."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.logs import RedactNationalNumbers, install_record_redaction, setup_logging
from kiosk.redact import MASK, is_national_number, reads_as_birth_date, redact_national_numbers


def national_number(born: date, serial: int) -> str:
    body = f"{born:%y%m%d}{serial:03d}"
    prefix = 2_000_000_000 if born.year >= 2000 else 0
    return body + f"{97 - (prefix + int(body)) % 97:02d}"


def formatted(number: str) -> str:
    return f"{number[0:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:11]}"


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
serials = st.integers(min_value=1, max_value=998)


def test_a_known_number_from_the_public_test_card_is_valid() -> None:
    assert is_national_number("71715100070")  # "Alice SPECIMEN", pre-2000 rule
    assert not is_national_number("71715100071")


@given(births, serials, st.sampled_from(["plain", "dotted", "spaced"]))
def test_every_valid_number_is_masked_in_every_usual_form(
    born: date, serial: int, form: str
) -> None:
    number = national_number(born, serial)
    written = {
        "plain": number,
        "dotted": formatted(number),
        "spaced": " ".join([number[:6], number[6:9], number[9:]]),
    }[form]
    text = f"citizen {written} asked for a certificate"
    assert redact_national_numbers(text) == f"citizen {MASK} asked for a certificate"


@given(births, serials, st.integers(min_value=1, max_value=96))
def test_numbers_with_wrong_check_digits_stay_readable(born: date, serial: int, shift: int) -> None:
    number = national_number(born, serial)
    wrong = number[:9] + f"{(int(number[9:]) + shift - 1) % 97 + 1:02d}"
    if is_national_number(wrong):  # the other century's rule can make it valid again
        return
    assert redact_national_numbers(f"job {wrong}") == f"job {wrong}"


def test_a_valid_number_that_is_no_birth_date_stays_readable_inside_a_longer_one() -> None:
    # Alice SPECIMEN's number (month 71: a test card's) glued between other digits.
    assert redact_national_numbers("id 9717151000709") == "id 9717151000709"


@given(births, serials, st.text(alphabet="0123456789", max_size=6), st.sampled_from(["", "9"]))
def test_a_number_glued_to_other_digits_is_masked(
    born: date, serial: int, before: str, after: str
) -> None:
    number = national_number(born, serial)
    assert number not in redact_national_numbers(f"x{before}{number}{after}x")


# No 3: no run of "3X" pairs, so only the decimal reading of the run counts here.
@given(st.text(alphabet="012456789", min_size=12, max_size=40))
def test_a_long_run_of_digits_is_masked_only_where_a_birth_dated_number_hides(run: str) -> None:
    windows = [run[i : i + 11] for i in range(len(run) - 10)]
    hides = any(is_national_number(w) and reads_as_birth_date(w) for w in windows)
    assert (redact_national_numbers(f"n={run};") != f"n={run};") == hides


def record_output(emit: callable) -> str:  # type: ignore[valid-type]
    stream = io.StringIO()
    setup_logging(stream=stream)
    try:
        emit(logging.getLogger("kiosk.test"))
    finally:
        setup_logging()
    return stream.getvalue()


def test_the_log_filter_masks_message_arguments_and_tracebacks() -> None:
    number = national_number(date(1985, 3, 14), 123)

    def emit(log: logging.Logger) -> None:
        log.warning("in the message %s", "x")
        log.warning("as an argument: %s", formatted(number))
        log.warning("in a dict argument: %(nn)s", {"nn": number})
        try:
            raise ValueError(f"bad card for {number}")
        except ValueError:
            log.exception("with a traceback")
        log.warning("with a stack", stack_info=True, extra={"ignored": number})
        log.warning(f"in an f-string {number}")

    text = record_output(emit)
    assert number not in text
    assert formatted(number) not in text
    assert text.count(MASK) == 4
    assert "ValueError: bad card for " + MASK in text


def test_handlers_we_do_not_own_see_masked_records_too(caplog: pytest.LogCaptureFixture) -> None:
    number = national_number(date(1962, 11, 2), 45)
    install_record_redaction()
    logging.getLogger("kiosk.other").warning("for %s", number)
    assert caplog.records and all(number not in r.getMessage() for r in caplog.records)
    assert f"for {MASK}" in caplog.text


def test_a_record_with_a_broken_format_is_kept_and_masked() -> None:
    number = national_number(date(2004, 2, 29), 7)
    record = logging.LogRecord("k", logging.INFO, __file__, 1, "%d %d", (number,), None)
    assert RedactNationalNumbers().filter(record)
    assert number not in str(record.msg)
    assert record.args is None
