"""The kiosk's client of the city's back-office API (the contract: docs/openapi.json).

`CityApiClient` makes the calls; every failure is a `CityApiError` whose `kind` the screens
turn into one plain sentence. The reference server is cityserver (never imported here).

The names below load on first use: `kiosk run` reads the terminal's token file
(kiosk.cityclient.tokens) before its first frame, and must not wait for requests to load.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.cityclient.client import CatalogueResult, CityApiClient, SignChallenge
    from kiosk.cityclient.errors import CityApiError, ErrorKind, plain_sentence

_WHERE = {
    "CatalogueResult": "kiosk.cityclient.client",
    "CityApiClient": "kiosk.cityclient.client",
    "SignChallenge": "kiosk.cityclient.client",
    "CityApiError": "kiosk.cityclient.errors",
    "ErrorKind": "kiosk.cityclient.errors",
    "plain_sentence": "kiosk.cityclient.errors",
}

__all__ = [
    "CatalogueResult",
    "CityApiClient",
    "CityApiError",
    "ErrorKind",
    "SignChallenge",
    "plain_sentence",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kiosk.cityclient' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
