"""Building the production runtime from configuration, and `kiosk run`'s one-line failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import ConfigError, Settings, validate_settings
from kiosk.wiring import build_runtime
from session import events as ev
from session.states import State


def settings(tmp_path: Path, **sections: dict[str, object]) -> Settings:
    data: dict[str, dict[str, object]] = {
        "cityapi": {
            "url": "http://127.0.0.1:9",
            "token_file": str(tmp_path / "token"),
            "catalogue_cache": str(tmp_path / "catalogue.json"),
        },
        "session": {"tmpfs_dir": str(tmp_path / "tmpfs")},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return validate_settings(data, "test")


def test_production_needs_a_city_api_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cityapi\.url"):
        build_runtime(settings(tmp_path, cityapi={"url": ""}))


def test_a_bad_receipt_uri_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"receipt\.uri"):
        build_runtime(settings(tmp_path, receipt={"uri": "lpt://nowhere"}))


def test_a_pdf_folder_is_refused_with_a_real_reader(tmp_path: Path) -> None:
    """Real citizens' certificates must never pile up in an ordinary folder."""
    with pytest.raises(ConfigError, match=r"printer\.pdf_folder"):
        build_runtime(settings(tmp_path, printer={"pdf_folder": str(tmp_path / "pdf")}))


def test_a_bad_trust_root_file_is_a_configuration_error(tmp_path: Path) -> None:
    bad = tmp_path / "roots.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ConfigError, match=r"eid\.trust_roots"):
        build_runtime(settings(tmp_path, eid={"trust_roots": [str(bad)]}))


def test_pin_buffer_is_zeroed_when_the_machine_does_not_want_it(tmp_path: Path) -> None:
    runtime = build_runtime(settings(tmp_path, eid={"simulated": True}))
    try:
        pin = bytearray(b"1234")
        runtime.submit_pin(pin)  # on the attract screen: nobody asked for a PIN
        assert pin == bytearray(4)
        assert runtime.machine.state is State.ATTRACT
        assert runtime.dispatch(ev.Touch()).state is State.LANGUAGE
    finally:
        runtime.stop()
    assert runtime.machine.citizen.is_empty()


def test_kiosk_run_bad_configuration_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[printer]\nqueue = 3\n")
    assert main(["--config", str(config), "run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "printer.queue" in err[0]


def test_kiosk_run_not_enrolled_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[cityapi]\nurl = "https://city.example"\ntoken_file = "{tmp_path / "token"}"\n'
        f'[session]\ntmpfs_dir = "{tmp_path / "tmpfs"}"\n'
    )
    assert main(["--config", str(config), "run"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not enrolled" in err[0]
