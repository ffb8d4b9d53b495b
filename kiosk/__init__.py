"""The Brussels self-service kiosk: wiring, CLI, configuration, city API client, telemetry."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("brussels-kiosk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
