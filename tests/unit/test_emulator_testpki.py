"""The test PKI shared between processes through a folder: a card issued from the loaded copy
is authentic to whoever trusts the original's roots, and a forged one still is not."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509

from devices.eid.card import BelpicCard
from devices.eid.emulator import BelpicApplet, SimReader, build_card, demo_profile, testpki
from devices.eid.emulator.testpki import SHARED_PKI_ENV, TestPki
from devices.eid.reader import NotAuthentic, read_eid
from devices.eid.simulated import SimulatedTransport


def read_with(pki: TestPki, roots: bytes, applet: testpki.Applet) -> str:
    reader = SimReader(BelpicApplet(build_card(demo_profile(), pki, applet), "1234"))
    card = BelpicCard(SimulatedTransport(reader))
    return read_eid(card, x509.load_pem_x509_certificates(roots)).identity.surname


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestPki, Path]:
    original = TestPki()
    folder = tmp_path_factory.mktemp("pki") / "shared"
    original.save(folder)
    return original, folder


@pytest.mark.parametrize("applet", ["1.7", "1.8"])
def test_a_card_from_the_loaded_pki_is_authentic_to_the_original_roots(
    saved: tuple[TestPki, Path], applet: testpki.Applet
) -> None:
    original, folder = saved
    loaded = TestPki.load(folder)
    assert loaded.root_pem() == original.root_pem()
    assert read_with(loaded, original.root_pem(), applet) == demo_profile().surname
    with pytest.raises(NotAuthentic):
        read_with(loaded.forged(), original.root_pem(), applet)


def test_private_keys_are_written_for_the_owner_only(saved: tuple[TestPki, Path]) -> None:
    _original, folder = saved
    keys = sorted(folder.glob("*.key.pem"))
    assert len(keys) == 6  # root, RRN and citizen CA for RSA and for EC
    assert all(stat.S_IMODE(k.stat().st_mode) == 0o600 for k in keys)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_loading_an_empty_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        TestPki.load(tmp_path)


def test_the_shared_pki_comes_from_the_folder_named_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "from-env"
    monkeypatch.setenv(SHARED_PKI_ENV, str(folder))
    monkeypatch.setattr(testpki, "_shared", None)
    first = testpki.shared_test_pki()  # none there yet: made, then saved
    assert (folder / "ec-root.cert.pem").exists()
    monkeypatch.setattr(testpki, "_shared", None)  # as another process would start
    second = testpki.shared_test_pki()
    assert second is not first
    assert second.root_pem() == first.root_pem()
