"""Every failure a citizen can meet says what happened and what to do, in each language.

Walks every kind of problem (the card's, the city's, the printers') on each error screen the
session can show it on, the out-of-service screen for each of its causes, and the take-card
screen after a receipt that could not be printed. Each is shown through the app's own
`show(state, context)` (the path every session step takes), in each language, and read back
from the widgets on show: a title, and at least two plain sentences (what happened, what to
do), all from the language's catalogue (never the English source standing in).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from i18n.languages import CODES
from tests.ui.conftest import UiKiosk

pytestmark = pytest.mark.ui

SENTENCE_END = re.compile(r"[.!?](\s|$)")


def failures() -> Iterator[tuple[str, Any, Any]]:
    """(name, state, context) for every failure screen, in English (the language is set later)."""
    from session.context import SessionContext
    from session.problems import ApiProblem, CardProblem, PrinterStatus, PrintProblem
    from session.states import State

    base = SessionContext(language="en", card_present=True, session_id="0" * 16)
    for problem in CardProblem:
        yield f"card_error-{problem.value}", State.CARD_ERROR, replace(base, problem=problem)
    for problem in ApiProblem:
        yield f"service_error-{problem.value}", State.SERVICE_ERROR, replace(base, problem=problem)
    # The printer missing when the citizen confirms: a service error (nothing printed yet).
    unavailable = replace(base, problem=PrintProblem.UNAVAILABLE)
    yield "service_error-printer", State.SERVICE_ERROR, unavailable
    for problem in PrintProblem:
        yield f"print_error-{problem.value}", State.PRINT_ERROR, replace(base, problem=problem)
    idle = SessionContext(language="en")
    yield (
        "out_of_service-printer",
        State.OUT_OF_SERVICE,
        replace(idle, printer=PrinterStatus.UNAVAILABLE),
    )
    yield "out_of_service-reader", State.OUT_OF_SERVICE, replace(idle, reader_present=False)
    yield "out_of_service-wipe", State.OUT_OF_SERVICE, replace(idle, wipe_failed=True)
    no_receipt = replace(base, completed=True, receipt_printed=False)
    yield "take_card-no_receipt", State.TAKE_CARD, no_receipt


def sentences(text: str) -> int:
    return len(SENTENCE_END.findall(text.strip()))


def shown(ui: UiKiosk, state: Any, context: Any) -> tuple[str, str, str]:
    """(title, what the screen says, every text on show) of the screen of `state`."""
    ui.presenter._local = None
    ui.presenter.show(state, context)
    ui.driver.frames(2)
    screen = ui.screen()
    return str(screen.title), str(screen.summary), " ".join(ui.driver.texts())


def explanation_parts(state: Any, problem: Any, lang: str) -> list[str]:
    """The sentences of the session's announcement for `problem` on `state`'s screen: the
    first says what happened, the last what to do."""
    from i18n.announcements import ANNOUNCEMENTS
    from i18n.catalogs import translations
    from screens.problem import problem_message

    if problem is None:
        return []
    gettext = translations(lang).gettext
    return [gettext(str(part)) for part in ANNOUNCEMENTS[problem_message(state, problem)]]


def test_every_kind_of_problem_has_a_failure_screen_here() -> None:
    from session.context import Problem
    from session.problems import ApiProblem, CardProblem, PrintProblem
    from session.states import State

    covered = {(state, ctx.problem) for _, state, ctx in failures()}
    kinds: list[Problem] = [*CardProblem, *ApiProblem, *PrintProblem]
    assert {problem for _, problem in covered} >= set(kinds)
    errors = {State.CARD_ERROR, State.SERVICE_ERROR, State.PRINT_ERROR, State.OUT_OF_SERVICE}
    assert {state for state, _ in covered} >= errors


def test_every_failure_screen_says_what_happened_and_what_to_do_in_every_language(
    ui: UiKiosk,
) -> None:
    from session.problems import PrintProblem

    english: dict[str, tuple[str, str]] = {}
    missing: list[str] = []
    for lang in ("en", *[code for code in CODES if code != "en"]):
        for name, state, context in failures():
            title, said, texts = shown(ui, state, replace(context, language=lang))
            where = f"{name} in {lang}"
            if not title or title not in texts:
                missing.append(f"{where}: no title on show")
            if sentences(said) < 2 or said not in texts:
                missing.append(f"{where}: not two sentences on show: {said!r}")
            parts = explanation_parts(state, context.problem, lang)
            if context.problem is not None and len(parts) < 2:
                missing.append(f"{where}: what happened, but not what to do: {parts}")
            if not all(part in said for part in parts):
                missing.append(f"{where}: the session's explanation is not on show: {said!r}")
            if lang == "en":
                english[name] = (title, said)
            elif (title, said) == english[name] or said == english[name][1]:
                missing.append(f"{where}: the English words stand in: {said!r}")
            if lang == "fr" and context.problem is PrintProblem.TIMEOUT:
                ui.shot(f"failure-message-{name}-{lang}")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("lang", [code for code in CODES if code != "en"])
def test_every_failure_sentence_comes_from_the_catalogue(lang: str) -> None:
    """Each part of each failure's announcement is translated (gettext did not hand back the
    English msgid), so no screen falls back to English for a citizen who chose `lang`."""
    from i18n.announcements import ANNOUNCEMENTS, Plural
    from i18n.catalogs import translations

    catalogue = translations(lang)
    failure_keys = [k for k in ANNOUNCEMENTS if k.startswith("error.")] + ["receipt.not_printed"]
    untranslated = [
        part
        for key in failure_keys
        for part in ANNOUNCEMENTS[key]
        if not isinstance(part, Plural) and catalogue.gettext(part) == part
    ]
    assert not untranslated, untranslated
