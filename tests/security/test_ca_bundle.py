"""`cityapi.ca_bundle` is documented as CAs trusted *besides* the system's store. Set to the
city's own CA, it must not make the kiosk distrust the public CAs (an API moved behind a
public certificate would be cut off), nor trust more than the store plus the bundle: a
server whose certificate comes from another CA, or carries another name, is refused.

Real TLS servers on 127.0.0.1; the "system store" is a test CA that OpenSSL's documented
SSL_CERT_FILE puts in place of the machine's CA file."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.cityclient.errors import CityApiError, ErrorKind
from kiosk.cityclient.transport import Transport
from kiosk.config import CityApiSettings, ConfigError

NOW = dt.datetime.now(dt.UTC)


class Authority:
    def __init__(self, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            self._builder(self.name, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )

    def _builder(
        self, subject: x509.Name, key: ec.EllipticCurvePublicKey
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.name)
            .public_key(key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=30))
        )

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def server_files(self, folder: Path, name: str, san: x509.GeneralName) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (
            self._builder(subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName([san]), critical=False)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        cert_file, key_file = folder / f"{name}.crt", folder / f"{name}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_file, key_file


class Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


LOCALHOST = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    folder = tmp_path_factory.mktemp("tls")
    system, city, rogue = Authority("System CA"), Authority("City CA"), Authority("Rogue CA")
    (folder / "system.pem").write_bytes(system.pem())
    (folder / "city.pem").write_bytes(city.pem())
    servers: dict[str, object] = {}
    running = []
    for name, authority, san in (
        ("public", system, LOCALHOST),
        ("city", city, LOCALHOST),
        ("rogue", rogue, LOCALHOST),
        ("city-other-name", city, x509.DNSName("api.elsewhere.example")),
    ):
        cert, key = authority.server_files(folder, name, san)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        running.append(httpd)
        servers[name] = f"https://127.0.0.1:{httpd.server_address[1]}"
    servers["folder"] = folder
    yield servers
    for httpd in running:
        httpd.shutdown()
        httpd.server_close()


def reach(url: str, ca_bundle: Path | None) -> bool:
    transport = Transport(CityApiSettings(ca_bundle=ca_bundle, retries=0), url)
    try:
        return transport.call("GET", "/v1/ping").status == 200
    except CityApiError as exc:
        assert exc.kind is ErrorKind.UNREACHABLE and "TLS verification failed" in str(exc)
        return False
    finally:
        transport.close()


@pytest.fixture
def system_store(world: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = world["folder"]
    assert isinstance(folder, Path)
    monkeypatch.setenv("SSL_CERT_FILE", str(folder / "system.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(folder / "no-such-dir"))
    return folder / "city.pem"


def test_the_bundle_adds_to_the_system_store(world: dict[str, str], system_store: Path) -> None:
    assert reach(world["city"], system_store), "the city's CA from ca_bundle is not trusted"
    assert reach(world["public"], system_store), "ca_bundle replaced the system's CA store"


def test_without_a_bundle_the_system_store_alone(world: dict[str, str], system_store: Path) -> None:
    assert reach(world["public"], None)
    assert not reach(world["city"], None)


def test_nothing_else_is_trusted(world: dict[str, str], system_store: Path) -> None:
    assert not reach(world["rogue"], system_store), "a CA in neither store was trusted"
    assert not reach(world["city-other-name"], system_store), "the host name was not checked"


def test_a_bundle_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    not_pem = tmp_path / "bundle.pem"
    not_pem.write_text("not a certificate\n")
    for bundle, reason in ((tmp_path / "missing.pem", "cannot read"), (not_pem, "no PEM")):
        with pytest.raises(ConfigError, match=f"^cityapi.ca_bundle: .*{reason}"):
            Transport(CityApiSettings(ca_bundle=bundle), "https://127.0.0.1:9")
