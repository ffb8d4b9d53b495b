"""Widgets the kiosk throws away stop listening at once: their kv rules are unbound then.

Kivy unbinds a widget's kv rules only once the widget is freed, from a weak-reference callback.
Widgets sit in reference cycles, so that happens when the cyclic garbage collector runs, on
whichever thread it runs (the session worker, the memory release after a wipe). That thread
clears the weak references of everything it frees first and runs the callbacks after, one by
one, and may hand the GIL to the Kivy thread in between: a contrast touch then reached a rule
of a dead widget (ReferenceError, and the kiosk stops; seen in CI). A widget unbound on the
Kivy thread when it is thrown away leaves those callbacks nothing to do.
"""

from __future__ import annotations

from collections.abc import Iterator

from kivy.lang import Builder
from kivy.uix.widget import Widget

from screens.widgets.layout import collapsed_children


def unbind_rules(*widgets: Widget) -> None:
    """Unbind the kv rules of each widget and of everything under it. Only for widgets detached
    for good: they no longer follow their rules (Kivy's own callback later finds nothing)."""
    for widget in widgets:
        for each in _under(widget):
            Builder.unbind_widget(each.uid)


def _under(widget: Widget) -> Iterator[Widget]:
    """The widget and its descendants, collapsed lines included (Widget.walk misses those)."""
    stack = [widget]
    while stack:
        each = stack.pop()
        yield each
        stack += each.children
        stack += collapsed_children(each)
