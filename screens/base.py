"""What every screen shares: the port to the session, a title that is announced, a notice line
for the session's messages, and `update(state, context)` to render the session.

Screens render the machine's state and context; they never import devices or the city API.
They send the citizen's intents as session events through `ShellPort.send`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

import screens.widgets  # noqa: F401  (registers the shared widgets and their rules)
from screens.discard import unbind_rules
from screens.names import document_icon, document_msgid, fallback_name
from screens.translate import tr
from screens.widgets.layout import Body
from session.states import State

if TYPE_CHECKING:
    from kivy.graphics.texture import Texture

    from session.context import SessionContext
    from session.events import Event


class ShellPort(Protocol):
    """The presenter (screens.presenter), as seen by a screen."""

    def send(self, event: Event) -> None:
        """Dispatch a citizen's intent to the session (on the UI thread)."""

    def submit_pin(self, pin: bytearray) -> None:
        """Hand the PIN's bytes to the card; the receiver zeroes them."""

    def verification_code(self) -> str:
        """The verification code of the document printed in this session, else "". Shown
        when the receipt that carries it could not be printed; never logged."""

    def describe_offer(self, document_id: str) -> tuple[str, str]:
        """A document's name in the current language and its icon name (city's words first)."""

    def citizen_name(self) -> str:
        """The card holder's name while a card read is held, else ""."""

    def document_specimen(self, document_id: str) -> Texture | None:
        """The first page of a specimen of the document in the current language (the city's
        template, placeholder data, marked SPECIMEN) as a texture; None while the kiosk does
        not have it. Cheap when None: screens may ask again."""

    def pin_progress(self, count: int, capacity: int) -> None:
        """A PIN digit was typed or erased (speech says how many, never which)."""

    def screen_changed(self, screen: KioskScreen, change: str) -> None:
        """Something on `screen` changed after it was announced (a picture arrived): speech
        says `change` after what it is saying, and "Repeat" gives back the screen as it is
        now. Ignored unless `screen` is the one shown."""

    def location(self) -> str:
        """Where this terminal stands (for "go to the counter" hints); may be ""."""

    def languages(self) -> Sequence[str]:
        """The codes of the languages this terminal offers, in their order (terminal.languages):
        the language screen's buttons and the attract screen's invitations."""

    def open_maintenance(self) -> None:
        """Show the maintenance PIN screen (the hidden gesture's target)."""

    def close_maintenance(self) -> None:
        """Back from the maintenance PIN screen to the session's screen."""

    def check_maintenance_code(self, code: bytearray) -> bool:
        """Whether `code` is this kiosk's maintenance code; slow (argon2id), so called from a
        worker thread. Zeroes `code` in every case."""


def local_description(document_id: str) -> tuple[str, str]:
    msgid = document_msgid(document_id)
    name = tr._(msgid) if msgid else fallback_name(document_id)
    return name, document_icon(document_id)


class KioskScreen(Screen):
    title = StringProperty("")  # said by the speech guide when the screen appears
    summary = StringProperty("")  # one or two sentences: what to do here
    spoken_details = StringProperty("")  # said before the summary, not shown (speech only)
    notice = StringProperty("")  # the session's latest message for this screen
    port = ObjectProperty(None, allownone=True)  # the ShellPort this screen talks through
    holds_citizen_data = False  # True: reset() at every wipe

    def on_pre_enter(self, *_args: object) -> None:
        self.to_top()

    def on_notice(self, *_args: object) -> None:
        if self.notice:
            self.to_top()  # a page that scrolls shows its message (under the title) at once

    def to_top(self) -> None:
        """Scroll the page's body (when it scrolls) back to its first line."""
        for widget in self.walk(restrict=True):
            if isinstance(widget, Body):
                widget.to_top()

    def on_enter(self, *_args: object) -> None:
        self._animations(True)

    def on_leave(self, *_args: object) -> None:
        self._animations(False)

    def _animations(self, active: bool) -> None:
        # Animations run only while their screen shows: hidden ones would cost CPU each frame.
        for widget in self.walk(restrict=True):
            animate = getattr(widget, "animate", None)
            if animate is not None and widget is not self:
                animate(active)

    def send(self, event: Event) -> None:
        if self.port is not None:
            self.port.send(event)

    def describe(self, document_id: str) -> tuple[str, str]:
        """(name, icon) of a document: the city's words when known, else the kiosk's own."""
        if self.port is not None:
            return self.port.describe_offer(document_id)
        return local_description(document_id)

    def update(self, state: State, context: SessionContext) -> None:
        """Render the session; called on every step while this screen shows."""

    def announce(self, key: str, params: dict[str, str | int], text: str) -> None:
        """A session message while this screen shows: by default, put it in the notice line."""
        self.notice = text

    def discard(self) -> None:
        """The shell has dropped this screen for good: its rules stop listening now, not when
        the collector gets to it (screens.discard says why)."""
        unbind_rules(self)

    def reset(self) -> None:
        """Forget everything of the last citizen (called at wipe)."""
        self.notice = ""
