"""`tr`: the translations as a Kivy Observable, so .kv rules re-render when the language changes.

In a .kv file::

    #:import tr screens.translate.tr
    Label:
        text: tr._("Insert your card")

Kivy binds such a rule by calling `tr.fbind("_", callback, ...)`; `tr` keeps those callbacks and
calls them all when the language switches, so every bound expression is evaluated again (the
tito/kivy-gettext-example technique, for Python 3). `i18n.set_language` switches `tr`;
call it on the Kivy main thread.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from kivy.lang import Observable

import i18n

# The names whose value depends on the language: rules watching them are re-run on a switch.
_TRANSLATING = frozenset({"_", "n_", "price", "date", "time", "lang"})

_Observer = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class Translator(Observable):
    def __init__(self) -> None:
        super().__init__()
        self._observers: dict[int, _Observer] = {}
        self._uids = itertools.count(1)
        self.lang = i18n.current_language()

    # -- what rules call

    def _(self, text: str) -> str:
        return i18n.gettext_for(self.lang)(text)

    def n_(self, singular: str, plural: str, count: int) -> str:
        return i18n.ngettext_for(self.lang)(singular, plural, count)

    def price(self, cents: int) -> str:
        return i18n.format_price(cents, self.lang)

    def date(self, day: dt.date) -> str:
        return i18n.format_date(day, self.lang)

    def time(self, moment: dt.time | dt.datetime) -> str:
        return i18n.format_time(moment, self.lang)

    # -- Kivy's binding protocol

    def fbind(self, name: str, func: Callable[..., Any], *largs: Any, **kwargs: Any) -> int:
        if name not in _TRANSLATING:
            return int(super().fbind(name, func, *largs, **kwargs))
        uid = next(self._uids)
        self._observers[uid] = (func, largs, kwargs)
        return uid

    def funbind(self, name: str, func: Callable[..., Any], *largs: Any, **kwargs: Any) -> None:
        if name not in _TRANSLATING:
            super().funbind(name, func, *largs, **kwargs)
            return
        for uid, observer in list(self._observers.items()):
            if observer == (func, largs, kwargs):
                del self._observers[uid]
                return

    def unbind_uid(self, name: str, uid: int) -> None:
        if name not in _TRANSLATING:
            super().unbind_uid(name, uid)
            return
        self._observers.pop(uid, None)

    # -- switching

    def switch(self, lang: str) -> None:
        """Re-evaluate every bound rule in `lang`; rules of widgets already gone are dropped."""
        self.lang = lang
        for uid, (func, largs, kwargs) in list(self._observers.items()):
            try:
                func(*largs, None, None, **kwargs)
            except ReferenceError:  # the widget was garbage-collected
                self._observers.pop(uid, None)

    @property
    def observer_count(self) -> int:
        return len(self._observers)


tr = Translator()
i18n.add_language_listener(tr.switch)
