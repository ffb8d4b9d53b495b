"""Progress you can trust: the steps of the work with a mark on each one done, and a bar that
fills with real progress (pages printed) or, when nothing can be measured, pulses slowly."""

from __future__ import annotations

from kivy.animation import Animation
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens.discard import unbind_rules
from screens.rules import load_rules

load_rules(__file__)


class WorkBar(Widget):
    value = NumericProperty(0.0)  # 0..1 when known
    known = BooleanProperty(True)  # False: pulse, since the work gives no measure
    pulse = NumericProperty(0.0)  # 0..1 position of the moving block

    active = BooleanProperty(False)  # on screen: only then does it pulse (CPU)

    def on_known(self, *_args: object) -> None:
        self._animate()

    def animate(self, active: bool) -> None:
        self.active = active
        self._animate()

    def _animate(self) -> None:
        Animation.cancel_all(self, "pulse")
        if self.active and not self.known:
            anim = Animation(pulse=1.0, duration=1.6) + Animation(pulse=0.0, duration=1.6)
            anim.repeat = True
            anim.start(self)


class StepRow(BoxLayout):
    text = StringProperty("")
    status = StringProperty("todo")  # "done", "now" or "todo": shown by an icon, not colour


class StepList(BoxLayout):
    """Rows for `steps`; those before `current` are done, `current` is under way."""

    steps = ListProperty([])
    current = NumericProperty(0)

    def on_steps(self, *_args: object) -> None:
        self._rebuild()

    def on_current(self, *_args: object) -> None:
        self._restatus()

    def _rebuild(self) -> None:
        rows = list(self.children)
        self.clear_widgets()
        unbind_rules(*rows)
        for text in self.steps:
            self.add_widget(StepRow(text=text))
        self._restatus()

    def _restatus(self) -> None:
        rows = list(reversed(self.children))
        for index, row in enumerate(rows):
            if index < self.current:
                row.status = "done"
            elif index == self.current:
                row.status = "now"
            else:
                row.status = "todo"
