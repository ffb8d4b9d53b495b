"""The frame every screen shares: a header (icon + title), a notice line, a body that scrolls
when it does not fit and a footer with the way back on the left and the main action on the
right; and `Collapsible`, for lines that leave the layout while they are empty."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget


class Collapsible:
    """Mixin: while `collapsed()` is true the widget is taken out of its parent (a layout
    keeps no room or spacing for it) and it comes back in its place afterwards.

    The parent's original order is kept on the parent (`_layout_order`), so several lines
    leaving and coming back in any order still land where the .kv file put them."""

    _home: Widget | None = None

    def watch_collapse(self, *names: str) -> None:
        widget: Any = self
        trigger = Clock.create_trigger(self._apply_collapse, -1)
        for name in (*names, "parent"):
            widget.fbind(name, trigger)

    def collapsed(self) -> bool:
        return False

    def _apply_collapse(self, *_args: object) -> None:
        widget: Any = self
        parent = widget.parent
        if self.collapsed():
            if parent is not None and widget in parent.children:
                if not hasattr(parent, "_layout_order"):
                    parent._layout_order = list(reversed(parent.children))  # display order
                self._home = parent
                parent.remove_widget(widget)
        elif parent is None and self._home is not None:
            home, self._home = self._home, None
            order: list[Widget] = home._layout_order
            mine = order.index(widget)
            # children[0] is drawn last: count the present siblings that come after this one.
            later = sum(1 for c in home.children if c in order and order.index(c) > mine)
            home.add_widget(widget, index=later)


def collapsed_children(parent: Widget) -> list[Widget]:
    """The lines collapsed out of `parent` now: in no tree, yet still its own."""
    order: list[Widget] = getattr(parent, "_layout_order", [])
    return [widget for widget in order if widget.parent is None]


class Page(BoxLayout):
    """A screen's vertical frame, with margins that keep targets away from the edges."""


class Header(BoxLayout):
    icon = StringProperty("document")
    text = StringProperty("")


class Body(ScrollView):
    """The part of a page between its title and its buttons: a column like `Page`, which
    scrolls when its lines are taller than its room (large text on a small screen, a long
    language), while the title above and the buttons below stay where they are.

    Why scrolling, rather than smaller text, dropped lines or pages of text: every word stays
    at the size the citizen asked for and nothing is hidden; the main action never moves; and
    when the page fits (nearly always) nothing changes at all. The scroll bar is wide, in the
    text's colour on a framed track, and shown for as long as there is more to see (it never
    fades): it says "there is more" to someone who would not think of swiping. The text can be
    dragged with a finger, and the bar itself is a 48 dp target that can be dragged or
    touched. The text makes room for the bar, so it never runs under it.

    Children given in a .kv file go into the column (`box`). Flexible children (spacers,
    drawings) share the room left when it fits; give them `size_hint_min_y` to keep a size
    when it does not."""

    box = ObjectProperty(None)  # the column that holds the children
    spacing = NumericProperty(dp(16))
    scrolls = BooleanProperty(False)  # the column is taller than the body: the bar shows

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.box = BoxLayout(orientation="vertical", size_hint=(None, None))
        ScrollView.add_widget(self, self.box)
        self.box.spacing = self.spacing
        self.fbind("spacing", self.box.setter("spacing"))
        trigger = Clock.create_trigger(self._fit, -1)
        self.box.fbind("minimum_height", trigger)
        self.fbind("size", trigger)

    def add_widget(self, widget: Widget, *args: Any, **kwargs: Any) -> None:
        self.box.add_widget(widget, *args, **kwargs)

    def remove_widget(self, widget: Widget, *args: Any, **kwargs: Any) -> None:
        self.box.remove_widget(widget, *args, **kwargs)

    def _fit(self, *_args: object) -> None:
        # Making room for the bar only makes the column taller: this settles at once.
        self.scrolls = self.box.minimum_height > self.height + 1
        self.do_scroll_y = self.scrolls
        gutter = self.bar_width + dp(8) if self.scrolls else 0
        self.box.width = max(0, self.width - gutter)
        self.box.height = max(self.height, self.box.minimum_height)

    def to_top(self) -> None:
        self.scroll_y = 1


class Notice(Collapsible, BoxLayout):
    """A message from the session (a wrong PIN, help): icon + words; out of the layout while
    empty."""

    text = StringProperty("")
    icon = StringProperty("help")
    warning = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.watch_collapse("text")

    def collapsed(self) -> bool:
        return not self.text


class Footer(BoxLayout):
    """Buttons in a row, as tall as the tallest; stacked one above the other when their words
    would not fit side by side (large text, portrait, long languages)."""

    scale = NumericProperty(1.0)  # THEME.scale, set by the class rule

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        trigger = Clock.create_trigger(self._fit, -1)
        self._trigger = trigger
        self.fbind("children", self._watch)
        self.fbind("width", trigger)
        self.fbind("scale", trigger)

    def _watch(self, *_args: object) -> None:
        for child in self.children:
            for name in ("height", "text", "opacity"):
                if hasattr(child, name):
                    child.funbind(name, self._trigger)
                    child.fbind(name, self._trigger)
        self._trigger()

    def _fit(self, *_args: object) -> None:
        slots = [c for c in self.children if hasattr(c, "text")]
        buttons = [c for c in slots if c.opacity > 0]
        # A row shares its width equally, hidden buttons' places included (they keep their
        # place so the others do not move): the widest button shown decides.
        widest = max((needed_width(b) for b in buttons), default=0.0)
        needed = widest * len(slots) + self.spacing * max(0, len(self.children) - 1)
        stack = needed > self.width > 0
        self.orientation = "vertical" if stack else "horizontal"
        for child in self.children:
            if not hasattr(child, "text"):  # a spacer
                child.size_hint_y = None if stack else 1
                child.height = 0 if stack else child.height
        # Side by side, one height for all: a word on two lines in one button sets it. (Its
        # label exists once the button's rule has run, after it joined the footer.)
        for button in buttons:
            button.ids.lbl.funbind("height", self._trigger)
            button.ids.lbl.fbind("height", self._trigger)
        natural = max((b.ids.lbl.height + dp(24) for b in buttons), default=0.0)
        for button in buttons:
            button.min_height = dp(96) if stack else max(dp(96), natural)
        heights = [c.height for c in self.children if c.size_hint_y is None]
        if stack:
            self.height = sum(heights) + self.spacing * max(0, len(self.children) - 1)
        else:
            self.height = max([dp(96), *heights])


def needed_width(button: Any) -> float:
    """The narrowest width that shows a button's icon and its longest word unbroken."""
    label = button.ids.get("lbl") if hasattr(button, "ids") else None
    if label is None or not button.text:
        return dp(96)
    core = CoreLabel(font_name=label.font_name, font_size=label.font_size, bold=label.bold)
    longest = max(core.get_extents(word)[0] for word in str(button.text).split())
    icon = button.icon_size + button.spacing if button.icon and not button.stacked else 0
    return float(longest + icon + button.padding[0] * 2 + dp(8))


class Spacer(BoxLayout):
    """Flexible empty space."""
