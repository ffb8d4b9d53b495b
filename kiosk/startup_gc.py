"""Python's cyclic garbage collector stands aside while the kiosk starts, until its first frame.

Starting imports Kivy and the kiosk's modules and builds the first screen: tens of thousands of
objects that live as long as the process. Left alone, the collector walks them about a hundred
times before anything is on the screen, and Kivy's window creation forces one full collection
(its graphics context calls gc.collect()) over everything imported so far, the kiosk's
configuration and command modules included. Measured on the way to the first frame: 25 to
30 ms of collections in `kiosk run`, against 15 to 20 ms for a bare Kivy window.

So the objects that exist when a kiosk app is made are frozen (the forced collection skips
them) and automatic collection is off until the first frame is drawn; then both are undone
and the collector works as usual. Reference counting frees everything else at once
meanwhile: only garbage in reference cycles waits, for a fraction of a second.
"""

from __future__ import annotations

import gc


def pause() -> None:
    """First thing when a kiosk app is made, before Kivy is imported."""
    gc.freeze()
    gc.disable()


def resume() -> None:
    """Once the first frame is drawn, or the app stops without drawing it. Idempotent."""
    gc.unfreeze()
    gc.enable()
