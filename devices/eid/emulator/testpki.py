"""A throw-away test PKI shaped like the Belgian eID one, for the card emulator.

Per key family ("rsa" for applet 1.7 cards, "ec" for applet 1.8 cards) there is a root CA,
an RRN certificate (the National Register key that signs the identity and address files)
and a citizen CA that issues per-card authentication certificates. Families are generated
lazily and kept on the `TestPki` object: RSA key generation is slow, so tests should build
one PKI and issue many cards from it.

`TestPki.forged()` gives a PKI with the same names but fresh keys: its RRN certificate chains
to a root nobody trusts, which is what a forged card looks like to the kiosk. What an attacker
holding some certificate under a trusted root would try is here too: `end_entity` (a web
server's certificate), `intermediate` (a CA under the root, pinned by nobody) and `rrn_signer`
(an RRN certificate under any issuer, for any validity). `crl` revokes cards' authentication
certificates, signed by the citizen CA.

Separate processes share one PKI through a folder (`save`, `load`): with `KIOSK_TEST_PKI` set
to a folder, `shared_test_pki()` loads it, or makes it and saves it there. That is how a kiosk
with `eid.simulated` and a reference city API started apart (`--trust-roots`) agree. Test keys
only: never a real card's.
"""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Applet = Literal["1.7", "1.8"]
KeyFamily = Literal["rsa", "ec"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

FAMILIES: tuple[KeyFamily, ...] = ("rsa", "ec")
ROLES = ("root", "rrn", "citizen_ca")
SHARED_PKI_ENV = "KIOSK_TEST_PKI"

VALIDITY_YEARS = 10
# The RRN chain is checked at a card's issue date (its validity begin), and the emulated
# citizens' cards were issued from 2024 on: the test PKI is valid from before that.
VALIDITY_START = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)

Validity = tuple[datetime.datetime, datetime.datetime]
# What a certificate is for: "tls" a web server's, "encryption" a key-transport certificate.
Usage = Literal["ca", "rrn", "auth", "tls", "encryption"]


def _validity() -> Validity:
    """From VALIDITY_START to ten calendar years from now."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    try:
        end = now.replace(year=now.year + VALIDITY_YEARS)
    except ValueError:  # 29 February
        end = now.replace(year=now.year + VALIDITY_YEARS, day=28)
    return VALIDITY_START, end


def family_for(applet: Applet) -> KeyFamily:
    """Applet 1.7 cards carry RSA-2048 keys, applet 1.8 cards EC P-384 keys."""
    if applet == "1.7":
        return "rsa"
    if applet == "1.8":
        return "ec"
    raise ValueError(f"unknown applet version {applet!r}")


@dataclass(frozen=True)
class Issuer:
    """A private key with its certificate."""

    key: PrivateKey
    cert: x509.Certificate

    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class CardKeys:
    """Everything key-related one card needs.

    `basic_key` is the 1.8 card key behind INTERNAL AUTHENTICATE and file 4040; it does not
    exist on 1.7 cards.
    """

    family: KeyFamily
    auth: Issuer
    citizen_ca_cert: x509.Certificate
    root_cert: x509.Certificate
    basic_key: ec.EllipticCurvePrivateKey | None


@dataclass(frozen=True)
class _Family:
    root: Issuer
    rrn: Issuer
    citizen_ca: Issuer


def _new_key(family: KeyFamily) -> PrivateKey:
    if family == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP384R1())


def _sign_hash(family: KeyFamily) -> hashes.SHA256 | hashes.SHA384:
    return hashes.SHA256() if family == "rsa" else hashes.SHA384()


def _name(common_name: str, **extra: str) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "BE")]
    oids = {
        "organization": NameOID.ORGANIZATION_NAME,
        "surname": NameOID.SURNAME,
        "given_name": NameOID.GIVEN_NAME,
        "serial_number": NameOID.SERIAL_NUMBER,
    }
    for key, value in extra.items():
        attrs.append(x509.NameAttribute(oids[key], _clip(value)))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, _clip(common_name)))
    return x509.Name(attrs)


def _clip(value: str, limit: int = 64) -> str:
    """cryptography caps these attributes at 64 UTF-8 bytes; long names are cut, like real cards."""
    return value.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _build_cert(
    *,
    subject: x509.Name,
    subject_key: PrivateKey,
    issuer: Issuer | None,
    family: KeyFamily,
    ca: bool | None,
    usage: Usage,
    validity: Validity | None = None,
) -> x509.Certificate:
    """`ca=None` leaves BasicConstraints out, as a sloppy (or hostile) CA would."""
    not_before, not_after = validity or _validity()
    signer_key = issuer.key if issuer else subject_key
    issuer_name = issuer.cert.subject if issuer else subject
    public = subject_key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    if ca is not None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=ca, path_length=None), critical=True
        )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    builder = builder.add_extension(_key_usage(usage), critical=True)
    if usage in ("auth", "tls"):
        purpose = (
            ExtendedKeyUsageOID.CLIENT_AUTH if usage == "auth" else ExtendedKeyUsageOID.SERVER_AUTH
        )
        builder = builder.add_extension(x509.ExtendedKeyUsage([purpose]), critical=False)
    return builder.sign(signer_key, _sign_hash(family))


def _key_usage(usage: Usage) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=usage in ("rrn", "auth", "tls"),
        content_commitment=usage == "rrn",
        key_encipherment=usage in ("tls", "encryption"),
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=usage == "ca",
        crl_sign=usage == "ca",
        encipher_only=False,
        decipher_only=False,
    )


class TestPki:
    """Lazily generated test roots, RRN signers and citizen CAs, one set per key family."""

    __test__ = False  # not a pytest test class despite the name

    def __init__(self, label: str = "Kiosk TEST", *, root_validity: Validity | None = None) -> None:
        """`root_validity` gives the roots another validity (e.g. one that has ended)."""
        self._label = label
        self._root_validity = root_validity
        self._families: dict[KeyFamily, _Family] = {}
        self._reusable_auth: dict[KeyFamily, PrivateKey] = {}
        self._lock = threading.Lock()

    # -- the per-family hierarchy ------------------------------------------------------------

    def _family(self, family: KeyFamily) -> _Family:
        with self._lock:
            found = self._families.get(family)
            if found is None:
                found = self._generate(family)
                self._families[family] = found
            return found

    def _generate(self, family: KeyFamily) -> _Family:
        tag = family.upper()
        root_key = _new_key(family)
        root_cert = _build_cert(
            subject=_name(f"{self._label} eID Root CA ({tag})"),
            subject_key=root_key,
            issuer=None,
            family=family,
            ca=True,
            usage="ca",
            validity=self._root_validity,
        )
        root = Issuer(root_key, root_cert)
        rrn_key = _new_key(family)
        rrn_cert = _build_cert(
            subject=_name(f"{self._label} RRN", organization=f"{self._label} RRN"),
            subject_key=rrn_key,
            issuer=root,
            family=family,
            ca=False,
            usage="rrn",
        )
        ca_key = _new_key(family)
        ca_cert = _build_cert(
            subject=_name(f"{self._label} Citizen CA", serial_number="202601"),
            subject_key=ca_key,
            issuer=root,
            family=family,
            ca=True,
            usage="ca",
        )
        return _Family(root=root, rrn=Issuer(rrn_key, rrn_cert), citizen_ca=Issuer(ca_key, ca_cert))

    def root(self, applet: Applet) -> Issuer:
        return self._family(family_for(applet)).root

    def rrn(self, applet: Applet) -> Issuer:
        """The National Register signer whose key signs 4032/4034 on cards of that applet."""
        return self._family(family_for(applet)).rrn

    def citizen_ca(self, applet: Applet) -> Issuer:
        return self._family(family_for(applet)).citizen_ca

    # -- trust roots for verifiers -----------------------------------------------------------

    def root_pem(self, applet: Applet | None = None) -> bytes:
        """PEM of the root for `applet`, or of both roots concatenated when None."""
        applets: tuple[Applet, ...] = (applet,) if applet else ("1.7", "1.8")
        return b"".join(self.root(a).cert.public_bytes(serialization.Encoding.PEM) for a in applets)

    # -- per-card keys -----------------------------------------------------------------------

    def issue_card_keys(
        self,
        applet: Applet,
        *,
        surname: str = "SPECIMEN",
        given_name: str = "Test",
        national_number: str = "00000000097",
        fresh_key: bool = True,
    ) -> CardKeys:
        """Issue an authentication certificate (and on 1.8 a basic key) for one card.

        `fresh_key=False` reuses one authentication key per family with a new certificate,
        which keeps mass card creation fast on RSA; certificates still differ per card.
        """
        family = family_for(applet)
        hierarchy = self._family(family)
        auth_key = self._auth_key(family, fresh_key)
        subject = _name(
            f"{given_name} {surname} (Authentication)",
            surname=surname,
            given_name=given_name,
            serial_number=national_number,
        )
        auth_cert = _build_cert(
            subject=subject,
            subject_key=auth_key,
            issuer=hierarchy.citizen_ca,
            family=family,
            ca=False,
            usage="auth",
        )
        basic = ec.generate_private_key(ec.SECP384R1()) if family == "ec" else None
        return CardKeys(
            family=family,
            auth=Issuer(auth_key, auth_cert),
            citizen_ca_cert=hierarchy.citizen_ca.cert,
            root_cert=hierarchy.root.cert,
            basic_key=basic,
        )

    def _auth_key(self, family: KeyFamily, fresh: bool) -> PrivateKey:
        if fresh:
            return _new_key(family)
        with self._lock:
            key = self._reusable_auth.get(family)
            if key is None:
                key = _new_key(family)
                self._reusable_auth[family] = key
            return key

    # -- what an attacker holding a certificate under a trusted root would try ----------------

    def end_entity(
        self,
        applet: Applet,
        common_name: str = "kiosk-api.test",
        *,
        usage: Literal["tls", "encryption"] = "tls",
    ) -> Issuer:
        """Someone's certificate under the root (a web server's, or one for encryption): not a
        citizen's, not the RRN's."""
        family = family_for(applet)
        key = _new_key(family)
        cert = _build_cert(
            subject=_name(common_name, organization=f"{self._label} Web"),
            subject_key=key,
            issuer=self.root(applet),
            family=family,
            ca=False,
            usage=usage,
        )
        return Issuer(key, cert)

    def intermediate(
        self, applet: Applet, *, basic_constraints: bool = True, label: str = "RRN CA"
    ) -> Issuer:
        """A CA under the root, e.g. a rogue 503D; without BasicConstraints when asked."""
        family = family_for(applet)
        key = _new_key(family)
        cert = _build_cert(
            subject=_name(f"{self._label} {label}"),
            subject_key=key,
            issuer=self.root(applet),
            family=family,
            ca=True if basic_constraints else None,
            usage="ca",
        )
        return Issuer(key, cert)

    def rrn_signer(
        self, applet: Applet, issuer: Issuer | None = None, *, validity: Validity | None = None
    ) -> Issuer:
        """An RRN certificate like the genuine one, under `issuer` (default: the root)."""
        family = family_for(applet)
        key = _new_key(family)
        cert = _build_cert(
            subject=_name(f"{self._label} RRN", organization=f"{self._label} RRN"),
            subject_key=key,
            issuer=issuer or self.root(applet),
            family=family,
            ca=False,
            usage="rrn",
            validity=validity,
        )
        return Issuer(key, cert)

    # -- revocation --------------------------------------------------------------------------

    def crl(
        self,
        applet: Applet,
        revoked: Iterable[x509.Certificate] = (),
        *,
        signer: Issuer | None = None,
    ) -> x509.CertificateRevocationList:
        """The citizen CA's CRL listing `revoked` (by serial), valid from yesterday for a week.

        `signer` signs it instead (same issuer name, another key): a CRL nobody should believe.
        """
        family = family_for(applet)
        ca = self.citizen_ca(applet)
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.cert.subject)
            .last_update(now - datetime.timedelta(days=1))
            .next_update(now + datetime.timedelta(days=7))
        )
        for cert in revoked:
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(cert.serial_number)
                .revocation_date(now - datetime.timedelta(hours=1))
                .build()
            )
            builder = builder.add_revoked_certificate(entry)
        return builder.sign((signer or ca).key, _sign_hash(family))

    # -- sharing between processes -----------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Every family's keys and certificates as PEM files in `folder` (private to us)."""
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for family in FAMILIES:
            hierarchy = self._family(family)
            for role in ROLES:
                issuer: Issuer = getattr(hierarchy, role)
                key = issuer.key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                key_path = folder / f"{family}-{role}.key.pem"
                fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(key)
                cert = issuer.cert.public_bytes(serialization.Encoding.PEM)
                (folder / f"{family}-{role}.cert.pem").write_bytes(cert)

    @classmethod
    def load(cls, folder: Path, label: str = "Kiosk TEST") -> TestPki:
        """The PKI `save` wrote; FileNotFoundError when `folder` holds none."""
        pki = cls(label)
        for family in FAMILIES:
            issuers = {}
            for role in ROLES:
                key = serialization.load_pem_private_key(
                    (folder / f"{family}-{role}.key.pem").read_bytes(), password=None
                )
                if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
                    raise ValueError(f"{family}-{role}: not an RSA or EC key")
                cert = x509.load_pem_x509_certificate(
                    (folder / f"{family}-{role}.cert.pem").read_bytes()
                )
                issuers[role] = Issuer(key, cert)
            pki._families[family] = _Family(**issuers)
        return pki

    # -- forgery -----------------------------------------------------------------------------

    def forged(self) -> TestPki:
        """A look-alike PKI (same names, new keys) whose root is not trusted by anyone."""
        return TestPki(label=self._label)


_shared: TestPki | None = None
_shared_lock = threading.Lock()


def shared_test_pki() -> TestPki:
    """One process-wide PKI, so test modules do not each pay for RSA key generation; the
    one in the `KIOSK_TEST_PKI` folder when that is set (made and saved there if missing)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = _from_environment()
        return _shared


def _from_environment() -> TestPki:
    folder = os.environ.get(SHARED_PKI_ENV)
    if not folder:
        return TestPki()
    try:
        return TestPki.load(Path(folder))
    except FileNotFoundError:
        pki = TestPki()
        pki.save(Path(folder))
        return pki
