"""Configuration: defaults, overrides, one-line errors naming file and key, generated doc."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i18n.languages import CODES
from kiosk import config_doc
from kiosk.config import ConfigError, Settings, load_settings, parse_settings, validate_settings

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_anywhere_gives_the_documented_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.setattr("kiosk.config.DEFAULT_PATH", Path("/nonexistent/kiosk.toml"))
    settings = load_settings(None)
    assert settings == Settings()
    assert settings.session.idle_timeout == 60
    assert settings.session.max_extensions >= 10


def test_a_file_overrides_only_the_keys_it_sets(tmp_path: Path) -> None:
    path = write(tmp_path, '[terminal]\nid = "bxl-ca-03"\n[session]\nidle_timeout = 90\n')
    settings = load_settings(path)
    assert settings.terminal.id == "bxl-ca-03"
    assert settings.session.idle_timeout == 90
    assert settings.session.thank_you_timeout == Settings().session.thank_you_timeout


def test_the_environment_variable_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[terminal]\nid = "from-env"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    assert load_settings(None).terminal.id == "from-env"


def test_an_explicit_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "absent.toml")
    assert "absent.toml" in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "key", "expectation"),
    [
        ('[session]\nidle_timeout = "soon"\n', "session.idle_timeout", "number"),
        ("[session]\nidle_timeout = -5\n", "session.idle_timeout", "greater than 0"),
        (
            "[session]\nmax_extensions = 3\n",
            "session.max_extensions",
            "greater than or equal to 10",
        ),
        (
            '[terminal]\ndefault_language = "es"\n',
            "terminal.default_language",
            "expected one of " + ", ".join(repr(code) for code in CODES) + " (found a string)",
        ),
        ('[terminal]\nlanguages = "fr"\n', "terminal.languages", "expected an array"),
        ('[terminal]\nlanguages = ["fr", "es"]\n', "terminal.languages[1]", "one of 'fr'"),
        ("[terminal]\nlanguages = []\n", "terminal.languages", "at least 1 long"),
        (
            '[terminal]\nlanguages = ["nl", "nl"]\n',
            "terminal.languages",
            "each language at most once",
        ),
        (
            '[terminal]\nlanguages = ["nl", "fr"]\ndefault_language = "de"\n',
            "terminal.default_language",
            "expected one of `languages` ('nl', 'fr')",
        ),
        ("[printer]\nqueue = 3\n", "printer.queue", "expected a string (found an integer)"),
        ("[cityapi]\nretries = 11\n", "cityapi.retries", "less than or equal to 10"),
        ("[eid]\ntrust_roots = [3]\n", "eid.trust_roots[0]", "expected a path"),
        ("[cityapi]\nca_bundle = true\n", "cityapi.ca_bundle", "found a boolean"),
        ('[ui]\nmaintenance_pin_hash = "1234"\n', "ui.maintenance_pin_hash", "format"),
        ("ui = 3\n", "ui", "expected a table (found an integer)"),
        ("[sesion]\nidle_timeout = 3\n", "sesion", "unknown key"),
        ("[ui]\nfulscreen = true\n", "ui.fulscreen", "unknown key"),
        ('[ui]\n"full\\nscreen" = true\n', 'ui."full\\nscreen"', "unknown key"),
    ],
)
def test_a_bad_value_names_the_file_the_key_and_what_was_expected(
    tmp_path: Path, text: str, key: str, expectation: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: ")
    assert expectation in message
    assert "\n" not in message


def test_the_languages_come_from_the_one_list_in_its_order() -> None:
    terminal = Settings().terminal
    assert terminal.languages == list(CODES)
    assert terminal.default_language is None
    assert terminal.start_language == CODES[0]


def test_the_languages_offered_and_the_one_a_session_starts_in(tmp_path: Path) -> None:
    terminal = load_settings(write(tmp_path, '[terminal]\nlanguages = ["nl", "fr"]\n')).terminal
    assert terminal.languages == ["nl", "fr"]
    assert terminal.start_language == "nl"  # unset: the first offered
    text = '[terminal]\nlanguages = ["nl", "fr"]\ndefault_language = "fr"\n'
    assert load_settings(write(tmp_path, text)).terminal.start_language == "fr"


def test_a_secret_value_is_never_echoed_in_the_error(tmp_path: Path) -> None:
    path = write(tmp_path, '[cityapi]\nurl = ["https://kiosk:secret-key@city.example/"]\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert "secret-key" not in str(caught.value)
    assert "found an array" in str(caught.value)


def test_broken_toml_names_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(b"[terminal\nid = 1\n", tmp_path / "broken.toml")
    assert "broken.toml: not valid TOML" in str(caught.value)
    assert "line 1" in str(caught.value)


def test_non_utf8_bytes_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        parse_settings(b'[terminal]\nid = "\xff"\n', tmp_path / "latin1.toml")


def test_the_committed_configuration_doc_matches_the_code() -> None:
    committed = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == config_doc.render(), "run `make docs` and commit docs/configuration.md"


def test_the_doc_mentions_every_key() -> None:
    text = config_doc.render()
    for section in msgspec.structs.fields(Settings):
        assert f"## [{section.name}]" in text
        for key in msgspec.structs.fields(section.type):
            assert f"| `{key.name}` |" in text


# Where the configuration is read: an attribute of the key's name must be read there.
READERS = ("kiosk", "screens", "devices", "session", "provisioning")
NOT_READERS = ("kiosk/config.py", "kiosk/config_doc.py", "kiosk/refserver/")


def attributes_read() -> set[str]:
    """The name of every attribute the kiosk's code reads (outside the configuration itself)."""
    names: set[str] = set()
    for package in READERS:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.relative_to(REPO).as_posix().startswith(NOT_READERS):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                    names.add(node.attr)
    return names


def unread_keys(read: set[str]) -> list[str]:
    return [
        f"{section.name}.{key.name}"
        for section in msgspec.structs.fields(Settings)
        for key in msgspec.structs.fields(section.type)
        if key.name not in read
    ]


def test_every_key_is_read_somewhere() -> None:
    # A documented key that nothing reads is a promise the kiosk does not keep. A coarse check
    # (an attribute of that name is read somewhere), but it caught terminal.languages.
    assert unread_keys(attributes_read()) == []


def test_the_unread_key_check_sees_a_key_nothing_reads() -> None:
    assert unread_keys(attributes_read() - {"languages"}) == ["terminal.languages"]


# Any TOML value, a few levels deep: what a hand-edited file can hold.
_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.dates(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_KNOWN = {
    section.name: [key.name for key in msgspec.structs.fields(section.type)]
    for section in msgspec.structs.fields(Settings)
}


@st.composite
def _documents(draw: st.DrawFn) -> dict[str, object]:
    """Mostly real sections and keys (so that values are checked), now and then unknown ones."""
    document: dict[str, object] = {}
    for section in draw(st.lists(st.sampled_from([*_KNOWN, "sesion"]), max_size=3, unique=True)):
        keys = _KNOWN.get(section, ["x"])
        table = draw(st.dictionaries(st.sampled_from([*keys, "typo"]), _VALUES, max_size=3))
        document[section] = draw(st.sampled_from([table, table, draw(_VALUES)]))
    return document


@settings(max_examples=300, deadline=None)
@given(document=_documents())
def test_any_document_gives_settings_or_one_line_naming_its_key(
    document: dict[str, object],
) -> None:
    try:
        validate_settings(document, "k.toml")
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith("k.toml: ")
        assert "\n" not in message
        assert _first_key(message.removeprefix("k.toml: ")) in [*document, "(top level)"]


def _first_key(text: str) -> str:
    """The first key of a message's dotted key, unquoting a TOML-quoted one."""
    if text.startswith('"'):
        key: str = json.JSONDecoder().raw_decode(text)[0]
        return key
    return re.split(r"[.\[:]", text, maxsplit=1)[0] if not text.startswith("(") else "(top level)"
