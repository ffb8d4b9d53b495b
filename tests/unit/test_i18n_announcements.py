"""Every message key the session machine can emit has a sentence in all four languages, with its
parameters filled in, and the counts that run out get their own "last" sentence."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from i18n import CODES, LANGUAGES, announcement
from i18n.announcements import ANNOUNCEMENTS, LANGUAGE_LIST, LAST_VARIANTS
from session.problems import ApiProblem, CardProblem, PrintProblem
from session.states import State

MACHINE = Path(__file__).resolve().parents[2] / "session" / "machine.py"

# What the machine's f-string keys expand to: f"error.{problem.value}", f"help.{state.value}".
EXPANSIONS: dict[str, list[str]] = {
    "error.": sorted({p.value for kind in (CardProblem, ApiProblem, PrintProblem) for p in kind}),
    "help.": [state.value for state in State],
}


def machine_message_keys() -> dict[str, tuple[str, ...]]:
    """{message key: parameter names} for every `_say(...)` call in session/machine.py."""
    keys: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(ast.parse(MACHINE.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_say"):
            continue
        params = tuple(sorted(kw.arg for kw in node.keywords if kw.arg and kw.arg != "sound"))
        key = node.args[0]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            keys[key.value] = params
        elif isinstance(key, ast.JoinedStr) and isinstance(key.values[0], ast.Constant):
            prefix = str(key.values[0].value)
            assert prefix in EXPANSIONS, f"don't know how to expand the key f{prefix!r}..."
            keys.update({prefix + suffix: params for suffix in EXPANSIONS[prefix]})
        else:
            raise AssertionError(f"unexpected message key expression at line {node.lineno}")
    return keys


KEYS = machine_message_keys()
# Parameters that only choose the sentence (its ".last" variant) and are not said themselves.
CHOOSING_ONLY = {("idle.warning", "extensions_left")}


def test_the_machine_emits_the_keys_the_brief_lists() -> None:
    assert {"idle.warning", "idle.extended", "pin.wrong", "print.progress"} <= set(KEYS)
    assert {"session.timed_out", "take_card", "take_card_and_receipt"} <= set(KEYS)
    assert {"error.pin_blocked", "error.paper_out", "error.offline", "help.pin"} <= set(KEYS)
    assert len([k for k in KEYS if k.startswith("help.")]) == len(State)


def test_no_sentence_is_left_without_a_key() -> None:
    variants = {f"{key}.last" for key in LAST_VARIANTS}
    assert set(ANNOUNCEMENTS) == set(KEYS) | variants


@pytest.mark.parametrize("lang", CODES)
@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_key_has_a_sentence_in_every_language(key: str, lang: str) -> None:
    params: dict[str, str | int] = {name: 2 + i for i, name in enumerate(KEYS[key])}  # no "last"
    if LANGUAGE_LIST in params:
        params[LANGUAGE_LIST] = " ".join(CODES)
    said = announcement(key, params, lang)
    assert said.strip() and "{" not in said and "}" not in said
    for name, value in params.items():
        if name == LANGUAGE_LIST:
            assert all(entry.endonym in said for entry in LANGUAGES)  # every language is named
            continue
        assert (key, name) in CHOOSING_ONLY or str(value) in said  # every count is said
    if lang != "en":
        assert said != announcement(key, params, "en"), "translated, not the English source"


@pytest.mark.parametrize("lang", CODES)
@pytest.mark.parametrize("key", sorted(LAST_VARIANTS))
def test_a_count_that_runs_out_has_its_own_sentence(key: str, lang: str) -> None:
    name, last = LAST_VARIANTS[key]
    params = {p: (last if p == name else 20) for p in KEYS[key]}
    usual = {p: (last + 2 if p == name else 20) for p in KEYS[key]}
    said = announcement(key, params, lang)
    assert said and "{" not in said
    assert said != announcement(key, usual, lang)


def test_sentences_in_english_read_as_expected() -> None:
    assert announcement("pin.wrong", {"tries_left": 2}, "en") == (
        "This PIN code is not correct. You can try 2 more times."
    )
    assert "one last try" in announcement("pin.wrong", {"tries_left": 1}, "en")
    assert announcement("print.progress", {"done": 1, "total": 3}, "en") == "Printing page 1 of 3."
    warning = announcement("idle.warning", {"seconds_left": 1, "extensions_left": 4}, "en")
    assert "in 1 second." in warning and "More time" in warning
    assert "cannot get more time" in announcement(
        "idle.warning", {"seconds_left": 20, "extensions_left": 0}, "en"
    )


def test_plural_forms_follow_each_language() -> None:
    assert "1 seconde." in announcement(
        "idle.warning", {"seconds_left": 1, "extensions_left": 2}, "fr"
    )
    assert "20 secondes." in announcement(
        "idle.warning", {"seconds_left": 20, "extensions_left": 2}, "fr"
    )
    assert "20 Sekunden." in announcement(
        "idle.warning", {"seconds_left": 20, "extensions_left": 2}, "de"
    )
    assert "1 seconde." in announcement(
        "idle.warning", {"seconds_left": 1, "extensions_left": 2}, "nl"
    )


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("fr", "Choisissez votre langue\u00a0: Français, Nederlands, English ou Deutsch."),
        ("nl", "Kies uw taal: Français, Nederlands, English of Deutsch."),
        ("en", "Choose your language: Français, Nederlands, English or Deutsch."),
        ("de", "Wählen Sie Ihre Sprache: Français, Nederlands, English oder Deutsch."),
    ],
)
def test_help_names_the_languages_offered_in_their_order(lang: str, sentence: str) -> None:
    # The four languages: the sentence as it was when it named them in its msgid.
    assert announcement("help.language", {"languages": "fr nl en de"}, lang) == sentence
    two = announcement("help.language", {"languages": "nl fr"}, lang)
    assert two.endswith(
        (
            "Nederlands ou Français.",
            "Nederlands of Français.",
            "Nederlands or Français.",
            "Nederlands oder Français.",
        )
    )
    assert announcement("help.language", {"languages": "de"}, "en") == (
        "Choose your language: Deutsch."
    )


def test_an_unknown_key_is_an_error() -> None:
    with pytest.raises(KeyError):
        announcement("no.such.key", {}, "fr")
