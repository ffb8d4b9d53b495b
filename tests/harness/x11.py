"""Just enough of Xlib (through ctypes, libX11 is on every machine with Xvfb) for a test to
do what a window manager does: find a process's window (_NET_WM_PID) and ask it to close
(WM_PROTOCOLS / WM_DELETE_WINDOW, what a close button or Alt-F4 sends)."""

from __future__ import annotations

import ctypes
import time


class _ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class _XEvent(ctypes.Union):
    _fields_ = [("client", _ClientMessage), ("pad", ctypes.c_long * 24)]


CLIENT_MESSAGE, XA_CARDINAL, CURRENT_TIME = 33, 6, 0


class XDisplay:
    """Just enough of Xlib (ctypes) to find a process's window and send it what a window
    manager sends when its close button or Alt-F4 is pressed."""

    def __init__(self, name: str) -> None:
        self.x = ctypes.CDLL("libX11.so.6")
        self.x.XOpenDisplay.restype = ctypes.c_void_p
        self.x.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x.XInternAtom.restype = ctypes.c_ulong
        self.display = self.x.XOpenDisplay(name.encode())
        assert self.display, f"cannot open X display {name}"
        self.d = ctypes.c_void_p(self.display)

    def __enter__(self) -> XDisplay:
        return self

    def __exit__(self, *_: object) -> None:
        self.x.XCloseDisplay(self.d)

    def atom(self, name: str) -> int:
        return int(self.x.XInternAtom(self.d, name.encode(), False))

    def window_of(self, pid: int, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for window in self._top_windows():
                if self._pid(window) == pid:
                    return window
            time.sleep(0.2)
        raise AssertionError(f"no X window of process {pid}")

    def ask_to_close(self, window: int) -> None:
        event = _XEvent()
        message = event.client
        message.type = CLIENT_MESSAGE
        message.window = window
        message.message_type = self.atom("WM_PROTOCOLS")
        message.format = 32
        message.data[0] = self.atom("WM_DELETE_WINDOW")
        message.data[1] = CURRENT_TIME
        assert self.x.XSendEvent(self.d, ctypes.c_ulong(window), False, 0, ctypes.byref(event))
        self.x.XFlush(self.d)

    def _top_windows(self) -> list[int]:
        root = ctypes.c_ulong(self.x.XDefaultRootWindow(self.d))
        root_back, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        self.x.XQueryTree(
            self.d,
            root,
            ctypes.byref(root_back),
            ctypes.byref(parent),
            ctypes.byref(children),
            ctypes.byref(count),
        )
        found = [int(children[i]) for i in range(count.value)]
        if children:
            self.x.XFree(children)
        return found

    def _pid(self, window: int) -> int | None:
        kind, size = ctypes.c_ulong(), ctypes.c_int()
        items, after = ctypes.c_ulong(), ctypes.c_ulong()
        value = ctypes.POINTER(ctypes.c_ulong)()
        status = self.x.XGetWindowProperty(
            self.d,
            ctypes.c_ulong(window),
            ctypes.c_ulong(self.atom("_NET_WM_PID")),
            ctypes.c_long(0),
            ctypes.c_long(1),
            False,
            ctypes.c_ulong(XA_CARDINAL),
            ctypes.byref(kind),
            ctypes.byref(size),
            ctypes.byref(items),
            ctypes.byref(after),
            ctypes.byref(value),
        )
        if status != 0 or not value:
            return None
        pid = int(value[0]) if items.value else None
        self.x.XFree(value)
        return pid
