"""The Brussels self-service kiosk: wiring, CLI, configuration, city API client, telemetry."""

from functools import cache


@cache
def _installed_version() -> str:
    # importlib.metadata scans site-packages (about 40 ms): only when a version is asked for,
    # never on the way to the first frame.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("brussels-kiosk")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module 'kiosk' has no attribute {name!r}")
