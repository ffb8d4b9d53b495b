"""Every visible string in screens/ is marked for translation; the scanner itself is checked on
small samples, so a pass means something."""

from __future__ import annotations

from pathlib import Path

from i18n import CITY_CONTEXT
from i18n.lint import NOT_LANGUAGE, check_kv, check_py, unmarked
from i18n.sources import collect, scan_file


def test_screens_have_no_unmarked_visible_text() -> None:
    found = unmarked()
    assert not found, "wrap these in tr._(...) or explain them in NOT_LANGUAGE:\n" + "\n".join(
        str(item) for item in found
    )


def kv(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "sample.kv"
    path.write_text(body, encoding="utf-8")
    return [item.text for item in check_kv(path, "sample.kv")]


def py(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "sample.py"
    path.write_text(body, encoding="utf-8")
    return [item.text for item in check_py(path, "sample.py")]


def test_the_kv_scanner_catches_plain_text(tmp_path: Path) -> None:
    found = kv(
        tmp_path,
        "<Sample@Label>:\n"
        '    text: "Insert your card"\n'
        "    Label:\n"
        "        title: 'Back ' + root.name\n"
        "        text: f'{root.count} tries left'\n"
        "        text:\n"
        "            ('Two '\n"
        "             'lines')\n",
    )
    assert found == ["Insert your card", "Back ", " tries left", "Two lines"]


def test_the_kv_scanner_accepts_marked_and_non_language_text(tmp_path: Path) -> None:
    found = kv(
        tmp_path,
        "#:import tr screens.translate.tr\n"
        "<Sample@Label>:\n"
        '    text: tr._("Insert your card")\n'
        '    state_text: tr._("On") if root.on else tr._("Off")\n'
        '    hint_text: tr.n_("{n} try", "{n} tries", root.n).format(n=root.n)\n'
        '    text: "{} / {}".format(root.done, root.total)\n'
        '    text: "Français"\n'
        '    text: "•" * root.count\n'
        '    text: {"a": tr._("Yes")}["a"]\n'
        '    text: root.name if root.kind == "person" else ""\n'
        '    font_name: "Atkinson Hyperlegible"\n',
    )
    assert found == []
    assert "Français" in NOT_LANGUAGE


def test_the_py_scanner_catches_plain_text(tmp_path: Path) -> None:
    found = py(
        tmp_path,
        "from kivy.uix.label import Label\n"
        "label = Label(text='Please wait')\n"
        "label.text = 'Done'\n"
        "label.title = tr._('Fine')\n"
        "label.text = '{} / {}'.format(1, 2)\n"
        "palette = Palette(text=_hex('#FFFFFF'))\n",
    )
    assert found == ["Please wait", "Done"]


def test_extraction_reads_python_and_kv(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text("x = _('One')\ny = tr.n_('a {n}', 'many {n}', 3)\nz = N_('Two')\n")
    rules = tmp_path / "sample.kv"
    rules.write_text("<S@Label>:\n    text: tr._('Three') + tr._(root.dynamic)\n")
    found = [f.msgid for f in scan_file(source)] + [f.msgid for f in scan_file(rules)]
    assert sorted(found, key=str) == sorted(["One", ("a {n}", "many {n}"), "Two", "Three"], key=str)


def test_the_city_servers_msgids_take_the_citys_context() -> None:
    found = collect()
    city = [f for f in found if f.path.startswith("cityserver/")]
    assert {f.path for f in city} >= {"cityserver/catalogue.py", "cityserver/certificate_pdf.py"}
    assert all(f.context == CITY_CONTEXT for f in city)
    assert all(f.context is None for f in found if f not in city)
