"""Finding visible text that is not marked for translation in screens/ (.kv and .py).

Visible text is the value of a text-like property (`text`, `title`, ...). A string literal there
that contains a letter must sit inside a translation call (`tr._`, `tr.n_`, `_`, `N_`), unless
it is in `NOT_LANGUAGE`. Literals without letters (digits, symbols, "{} / {}") are always fine;
so are literals compared against (`self.kind == "primary"`), used as dictionary keys, or passed
to other functions (`_hex("#FFFFFF")`): only `"text".format(...)`-style calls are looked into.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from i18n.languages import LANGUAGES
from i18n.sources import PLURAL_CALLS, REPO, SINGULAR_CALLS, kv_expressions, parse_kv_value

VISIBLE_PROPERTIES = frozenset(
    {"text", "title", "summary", "hint_text", "state_text", "label", "caption", "heading"}
)

# Text that is the same in every language, on purpose. Keep this list short and explained.
NOT_LANGUAGE = frozenset(
    {
        # each language's name is written in that language (the language screen)
        *(entry.endonym for entry in LANGUAGES),
        "Bruxelles · Brussel · Brussels",  # the city's name in its languages, on the attract loop
        "eID",  # the card's name, the same in all four languages
        "€",
    }
)


@dataclass(frozen=True)
class Unmarked:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r} is visible but not in tr._(...)"


def _translation_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name in SINGULAR_CALLS or name in PLURAL_CALLS


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def bare_literals(expr: ast.AST) -> Iterator[ast.Constant]:
    """String literals with letters in `expr` that would reach the screen untranslated."""
    if _translation_call(expr):
        return
    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, str) and _has_letter(expr.value):
            yield expr
        return
    if isinstance(expr, ast.Compare):
        return  # operands are compared, not shown
    if isinstance(expr, ast.Dict):
        for value in expr.values:
            yield from bare_literals(value)
        return
    if isinstance(expr, ast.Subscript):
        yield from bare_literals(expr.value)  # the index is a key, not text
        return
    if isinstance(expr, ast.Call):
        yield from bare_literals(expr.func)  # "Hello {}".format(...) is text; arguments are data
        return
    for child in ast.iter_child_nodes(expr):
        yield from bare_literals(child)


def _allowed(node: ast.Constant) -> bool:
    return str(node.value).strip() in NOT_LANGUAGE


def check_kv(path: Path, rel: str) -> Iterator[Unmarked]:
    for name, value, line in kv_expressions(path):
        if name not in VISIBLE_PROPERTIES:
            continue
        expr = parse_kv_value(value)
        if expr is None:
            yield Unmarked(rel, line, value.strip())
            continue
        for node in bare_literals(expr):
            if not _allowed(node):
                yield Unmarked(rel, line, str(node.value))


def _visible_values(tree: ast.AST) -> Iterator[ast.expr]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield from (kw.value for kw in node.keywords if kw.arg in VISIBLE_PROPERTIES)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {
                t.attr if isinstance(t, ast.Attribute) else getattr(t, "id", None) for t in targets
            }
            if names & VISIBLE_PROPERTIES and node.value is not None:
                yield node.value


def check_py(path: Path, rel: str) -> Iterator[Unmarked]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = [node for value in _visible_values(tree) for node in bare_literals(value)]
    for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
        if not _allowed(node):
            yield Unmarked(rel, node.lineno, str(node.value))


def unmarked(root: Path = REPO, folder: str = "screens") -> list[Unmarked]:
    """Every unmarked visible string in `folder` (recursively)."""
    found: list[Unmarked] = []
    for path in sorted((root / folder).rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.suffix == ".kv":
            found.extend(check_kv(path, rel))
        elif path.suffix == ".py" and "__pycache__" not in path.parts:
            found.extend(check_py(path, rel))
    return found
