"""The kiosk's client of the city's back-office API (the contract: docs/openapi.json).

`CityApiClient` makes the calls; every failure is a `CityApiError` whose `kind` the screens
turn into one plain sentence. The reference server is kiosk.refserver (never imported here).
"""

from kiosk.cityapi.client import CatalogueResult, CityApiClient, SignChallenge
from kiosk.cityapi.errors import CityApiError, ErrorKind, plain_sentence

__all__ = [
    "CatalogueResult",
    "CityApiClient",
    "CityApiError",
    "ErrorKind",
    "SignChallenge",
    "plain_sentence",
]
