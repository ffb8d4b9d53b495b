"""A test-side agent that rides inside a real `kiosk run` process, for the drills: it reads the
screen as the citizen sees it and touches it as a finger would. Nothing in the kiosk knows of
it; the drill starts the kiosk as

    python -c "import tests.harness.drill_agent as a; a.install(SOCKET); \\
               from kiosk.cli import entry; entry()" --config FILE run --window

`install()` starts a thread serving a unix socket (mode 0600, in the test's private folder).
One JSON request per connection, one JSON answer; each is run on the Kivy thread (scheduled
with Clock from the agent's thread, waited for with a bound), once the app runs:

  {"do": "screen"}                   session state, the screen shown, every visible text
  {"do": "touch", "target": T}       a touch at the centre of the visible button whose words
                                     are T, "tile:<document id>" (a catalogue tile), or
                                     "@centre" (the middle of the window)
  {"do": "screenshot", "path": P}    the window as a PNG

Texts come from visible Labels only (opacity, size, not disabled; inside the modal panel when
one shows, plus the panel's own): what is on the glass, in the citizen's language.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def ask(
    path: str | os.PathLike[str], request: dict[str, Any], timeout: float = 10.0
) -> dict[str, Any]:
    """The client side: one request to the agent at `path`, its JSON answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall(json.dumps(request).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    answer: dict[str, Any] = json.loads(data)
    return answer


KIVY_WAIT_S = 5.0
TOUCH_HOLD_S = 0.06


def install(path: str) -> None:
    """Serve requests on the unix socket at `path` from a daemon thread."""
    Path(path).unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        server.bind(path)
    finally:
        os.umask(old)
    server.listen(4)
    threading.Thread(target=_accept, args=(server,), daemon=True, name="drill-agent").start()


def _accept(server: socket.socket) -> None:
    while True:
        connection, _ = server.accept()
        threading.Thread(target=_handle, args=(connection,), daemon=True).start()


def _handle(connection: socket.socket) -> None:
    with connection:
        connection.settimeout(30)
        data = b""
        with contextlib.suppress(OSError):
            while not data.endswith(b"\n"):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                data += chunk
        try:
            answer = _answer(json.loads(data or b"{}"))
        except Exception as exc:  # the test reads the error; the kiosk goes on
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        with contextlib.suppress(OSError):
            connection.sendall(json.dumps(answer).encode() + b"\n")


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    if "kivy.app" not in sys.modules:
        return {"running": False}
    from kivy.app import App

    if App.get_running_app() is None:
        return {"running": False}
    what = request.get("do")
    if what == "screen":
        return _on_kivy(_screen)
    if what == "touch":
        return _touch(str(request["target"]))
    if what == "screenshot":
        return _on_kivy(lambda: _screenshot(Path(str(request["path"]))))
    return {"error": f"unknown request {what!r}"}


def _on_kivy(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `fn` on the Kivy thread and return what it returned (bounded wait)."""
    from kivy.clock import Clock

    done = threading.Event()
    result: dict[str, Any] = {}

    def run(_dt: float) -> None:
        try:
            result.update(fn())
        except Exception as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            done.set()

    Clock.schedule_once(run, 0)
    if not done.wait(KIVY_WAIT_S):
        return {"error": "the Kivy thread did not answer in time"}
    return result


def _app() -> Any:
    from kivy.app import App

    return App.get_running_app()


def _visible(widget: Any) -> bool:
    if widget.opacity <= 0 or widget.disabled:
        return False
    return bool(widget.width > 0 and widget.height > 0)


def _walk() -> list[Any]:
    """Every widget a finger can reach (as screens.driver.Driver.walk)."""
    from kivy.core.window import Window

    app = _app()
    modal = getattr(app.root, "modal", None) if app.root is not None else None
    stack = [modal or Window]
    found = []
    while stack:
        widget = stack.pop()
        if widget is not Window and not _visible(widget):
            continue
        found.append(widget)
        stack.extend(reversed(widget.children))
    return found


def _screen() -> dict[str, Any]:
    from kivy.uix.label import Label

    app = _app()
    runtime = getattr(app, "runtime", None)
    presenter = getattr(app, "presenter", None)
    answer: dict[str, Any] = {
        "running": True,
        "ready": runtime is not None,
        "state": None,
        "shown": getattr(presenter, "shown", None),
        "modal": bool(getattr(app.root, "modal", None)),
        "texts": [str(w.text) for w in _walk() if isinstance(w, Label) and w.text],
    }
    if runtime is not None:
        context = runtime.machine.context
        answer["state"] = str(runtime.machine.state.value)
        answer["card_present"] = bool(context.card_present)
        answer["wipe_failed"] = bool(context.wipe_failed)
        problem = context.problem
        answer["problem"] = None if problem is None else str(problem.value)
    return answer


def _find(target: str) -> Any:
    from kivy.uix.behaviors import ButtonBehavior

    widgets = [w for w in _walk() if isinstance(w, ButtonBehavior)]
    if target.startswith("tile:"):
        wanted = target.removeprefix("tile:")
        found = [w for w in widgets if getattr(w, "document_id", None) == wanted]
    else:
        found = [w for w in widgets if getattr(w, "text", None) == target]
    if not found:
        raise LookupError(f"no visible button {target!r}")
    return found[0]


def _touch(target: str) -> dict[str, Any]:
    """Press at the centre of the target, hold a moment, release: three steps on the Kivy
    thread (the event loop dispatches the posted touch between them)."""
    touch: dict[str, Any] = {}

    def down() -> dict[str, Any]:
        from screens.synthetic_touch import SyntheticTouch

        if target == "@centre":
            from kivy.core.window import Window

            x, y = Window.width / 2, Window.height / 2
        else:
            widget = _find(target)
            x, y = widget.to_window(*widget.center)
        touch["finger"] = SyntheticTouch(x, y)
        touch["finger"].touch_down()
        return {"at": [x, y]}

    pressed = _on_kivy(down)
    if "error" in pressed:
        return pressed
    time.sleep(TOUCH_HOLD_S)

    def up() -> dict[str, Any]:
        touch["finger"].touch_up()
        return {}

    released = _on_kivy(up)
    if "error" in released:
        return released
    time.sleep(TOUCH_HOLD_S)
    return {"touched": target, **pressed}


def _screenshot(path: Path) -> dict[str, Any]:
    from kivy.core.window import Window

    path.parent.mkdir(parents=True, exist_ok=True)
    written = Path(Window.screenshot(name=str(path.resolve())))
    written.replace(path)
    return {"path": str(path)}
