"""Finding the translatable strings in the code: `_("...")`, `tr._("...")`, `N_("...")` and
`n_("one", "many", n)` calls in Python and .kv files, and the announcement table. The msgids
found in the city's server (cityserver/) take the city's context (i18n.catalogs.CITY_CONTEXT).

Python is read with `ast`; a .kv file's rule values are Python expressions, so each is parsed
with `ast` too. Only string literals count: `_(variable)` is not extractable, by design.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from i18n import announcements
from i18n.catalogs import CITY_CONTEXT

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("i18n", "kiosk", "screens", "cityserver")
# The gettext context of the msgids found in a folder (by default none).
FOLDER_CONTEXTS = {"cityserver": CITY_CONTEXT}

SINGULAR_CALLS = frozenset({"_", "N_", "gettext"})
PLURAL_CALLS = frozenset({"n_", "ngettext"})

Msgid = str | tuple[str, str]


@dataclass(frozen=True)
class Found:
    msgid: Msgid
    path: str  # relative to the repository
    line: int
    context: str | None = None  # msgctxt


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def msgids_in_tree(tree: ast.AST) -> Iterator[tuple[Msgid, int]]:
    """(msgid, line) for every translation call with literal arguments in a parsed tree."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in SINGULAR_CALLS and len(node.args) == 1:
            text = _literal(node.args[0])
            if text:
                yield text, node.lineno
        elif name in PLURAL_CALLS and len(node.args) == 3:
            one, many = _literal(node.args[0]), _literal(node.args[1])
            if one and many:
                yield (one, many), node.lineno


# A rule line in a .kv file: indentation, a property name, a colon, a Python expression.
KV_RULE = re.compile(r"^(?P<indent>\s+)(?P<name>[a-z_][a-z0-9_]*)\s*:\s*(?P<value>.*)$")


def kv_expressions(path: Path) -> Iterator[tuple[str, str, int]]:
    """(property, expression, line) for each property rule of a .kv file whose value is a
    Python expression. Multi-line values are joined: while brackets stay open, or all the more
    indented lines below an empty value."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = KV_RULE.match(lines[index])
        start = index
        index += 1
        if not match or lines[start].lstrip().startswith(("#", "canvas")):
            continue
        value = match["value"].strip()
        if not value:
            depth = len(match["indent"])
            while index < len(lines) and _indent(lines[index]) > depth:
                value += "\n" + lines[index].strip()
                index += 1
            if not value:
                continue
        while _open_brackets(value) and index < len(lines):
            value += "\n" + lines[index]
            index += 1
        yield match["name"], value, start + 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip()) if line.strip() else 10**6  # blank lines continue


def _open_brackets(text: str) -> bool:
    try:
        ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        return "was never closed" in str(exc) or "unexpected EOF" in str(exc)
    return False


def parse_kv_value(value: str) -> ast.Expression | None:
    try:
        return ast.parse(value.strip(), mode="eval")
    except SyntaxError:
        return None  # a kv-only construct (canvas instructions, ids...), not an expression


def scan_file(path: Path) -> Iterator[Found]:
    inside = path.is_relative_to(REPO)
    rel = path.relative_to(REPO).as_posix() if inside else path.as_posix()
    context = FOLDER_CONTEXTS.get(rel.split("/")[0]) if inside else None
    if path.suffix == ".py":
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for msgid, line in msgids_in_tree(tree):
            yield Found(msgid, rel, line, context)
    elif path.suffix == ".kv":
        for _name, value, line in kv_expressions(path):
            expr = parse_kv_value(value)
            if expr is not None:
                for msgid, _ in msgids_in_tree(expr):
                    yield Found(msgid, rel, line, context)


def source_files(root: Path = REPO) -> list[Path]:
    files: list[Path] = []
    for folder in SOURCE_DIRS:
        for pattern in ("*.py", "*.kv"):
            files.extend((root / folder).rglob(pattern))
    return sorted(f for f in files if "__pycache__" not in f.parts)


def collect(root: Path = REPO) -> list[Found]:
    """Every msgid the kiosk and the city's server use, in a stable order: code and .kv first,
    then announcements."""
    found = [item for path in source_files(root) for item in scan_file(path)]
    table = "i18n/announcements.py"
    found.extend(Found(msgid, table, 0) for msgid in announcements.msgids())
    return found
