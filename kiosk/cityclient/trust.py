"""Which certificate authorities the city API client trusts: the system's CA store, plus
`cityapi.ca_bundle` when it is set (the city's own CA, for an API with an internal
certificate). The bundle adds to the store; it never replaces it.

The system's store is OpenSSL's default (on Debian /etc/ssl/certs, kept by the
ca-certificates package; SSL_CERT_FILE / SSL_CERT_DIR point elsewhere); on a system with no
store at all, the Mozilla list that requests ships (certifi) stands in. The client's one
requests adapter carries this SSLContext, and requests' own CA file is kept off the
connections so the context alone decides. Verification and host-name checks stay on.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

from requests.adapters import HTTPAdapter
from requests.utils import DEFAULT_CA_BUNDLE_PATH

from kiosk.config import ConfigError


def trust_store(ca_bundle: Path | None) -> ssl.SSLContext:
    """An SSLContext trusting the system's CAs and those of `ca_bundle` (PEM)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if context.cert_store_stats()["x509_ca"] == 0 and not _has_ca_dir():
        context.load_verify_locations(cafile=DEFAULT_CA_BUNDLE_PATH)
    if ca_bundle is not None:
        try:
            context.load_verify_locations(cafile=str(ca_bundle))
        except ssl.SSLError:  # an OSError too: first
            raise ConfigError(f"cityapi.ca_bundle: {ca_bundle} holds no PEM certificate") from None
        except OSError as exc:
            raise ConfigError(
                f"cityapi.ca_bundle: cannot read {ca_bundle} ({exc.strerror})"
            ) from None
    return context


def _has_ca_dir() -> bool:
    """Whether OpenSSL's CA directory holds certificates (they are loaded when needed, so
    cert_store_stats does not count them)."""
    paths = ssl.get_default_verify_paths()
    capath = Path(paths.capath) if paths.capath else None
    return capath is not None and capath.is_dir() and any(capath.glob("*.0"))


class TrustStoreAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections verify with `context` and nothing else."""

    def __init__(self, context: ssl.SSLContext, **kwargs: Any) -> None:
        self._context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        super().cert_verify(conn, url, verify, cert)
        # requests names its own CA file here, which urllib3 would add to the context.
        conn.ca_certs = None
        conn.ca_cert_dir = None
