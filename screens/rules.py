"""Kivy rules (.kv files) next to their modules, each loaded once, when its module is."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder


def load_rules(module_file: str) -> None:
    """Load the .kv file next to a module, once."""
    path = str(Path(module_file).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)
