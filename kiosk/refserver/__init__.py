"""The reference city API server (FastAPI on uvicorn), for tests, demos and as the contract.

Only `kiosk cityapi serve` and `kiosk demo` import this package: the kiosk runtime talks to the
city API through kiosk.cityapi and never needs fastapi, uvicorn or fpdf2.
"""

from kiosk.refserver.app import build_api, create_app
from kiosk.refserver.config import ServerConfig
from kiosk.refserver.serve import EmbeddedServer

__all__ = ["EmbeddedServer", "ServerConfig", "build_api", "create_app"]
