"""The seam between the Kivy shell (kiosk/app.py, screens/) and everything behind it.

A Runtime owns the session machine and executes its effects: eID commands, printing, the
city API, timers, the wipe. Device and network I/O run on worker threads; every outcome
comes back as a session event through `post`, which the app makes run on the Kivy main
thread (Clock.schedule_once). So `dispatch` and the listeners always run on one thread and
the machine needs no lock.

No Kivy here: a Runtime runs under tests and benchmarks without a window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.config import Settings
from session.events import Event
from session.machine import SessionMachine, Step
from session.ports import ScreenReset

# Runs a callable on the UI thread, soon. The app gives `lambda fn: Clock.schedule_once(lambda
# _dt: fn(), 0)`; tests may give a queue they drain themselves.
Post = Callable[[Callable[[], None]], None]
Listener = Callable[[Step], None]


@dataclass(frozen=True)
class OfferText:
    """A catalogue tile's words in one language, as the city API describes the document."""

    name: str
    description: str
    icon: str  # the city's icon name (e.g. "home"); the screens map it to a picture
    price_cents: int


class DemoControls(Protocol):
    """What `kiosk demo` adds: a simulated card to insert and take out, and what was printed."""

    def insert_card(self) -> None: ...

    def remove_card(self) -> None: ...

    def receipt_png(self) -> bytes | None:
        """The last receipt, rendered from the ESC/POS bytes that were sent."""
        ...

    def printed_pdfs(self) -> list[Path]:
        """Certificates printed during the demo (cups-pdf output or the PDF folder)."""
        ...


class Runtime(Protocol):
    settings: Settings
    machine: SessionMachine
    demo: DemoControls | None  # None in production (`kiosk run`)

    def start(self, post: Post) -> None:
        """Recover leftovers from a crash, start device monitors, the tick and the heartbeat."""
        ...

    def dispatch(self, event: Event) -> Step:
        """UI thread only: feed `event` to the machine, start its effects, tell the listeners."""
        ...

    def add_listener(self, listener: Listener) -> None:
        """Called on the UI thread after every step (screens re-render, speech announces)."""
        ...

    def submit_pin(self, pin: bytearray) -> None:
        """Hand the PIN pad's buffer to the card (on a worker) and zero it after use.

        The PIN never enters the machine: this dispatches `PinSubmitted()` and the
        `VerifyPin` effect uses the buffer given here.
        """
        ...

    def stop(self) -> bool:
        """Wipe whatever session is open, stop workers and monitors; bounded in time. True
        when the last wipe was verified and every worker that may touch the session (card,
        city, printers) ended in time."""
        ...

    def describe_offer(self, document_id: str, language: str) -> OfferText | None:
        """The words for a `DocumentOffer` of `machine.context.offers` (None: unknown id)."""
        ...

    def document_specimen(self, document_id: str, language: str) -> bytes | None:
        """PNG of the first page of a specimen of an offered document in `language` (placeholder
        data, marked SPECIMEN; no citizen data), or None when not fetched yet or unavailable.
        Fetched in the background when the catalogue arrives; cheap to call on the UI thread."""
        ...

    def citizen_display_name(self) -> str | None:
        """First names and surname from the card, for the confirm screen only; None when no
        card was read. Never log or keep it: the holder owns it and the wipe drops it."""
        ...

    def verification_code(self) -> str | None:
        """The verification code the city gave this session's document (e.g. ABCD-EFGH-JKLM),
        for the take-card screen when the receipt could not be printed; None before the city
        answered and after the wipe. Not citizen data, but it proves the document: never log
        it."""
        ...

    def set_screen_reset(self, reset: ScreenReset) -> None:
        """The screens' part of the wipe (clipboard, selection, widgets that showed citizen
        data; screens.presenter). Called from the wiping thread: it must hop to the UI thread."""
        ...
