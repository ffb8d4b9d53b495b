"""The city's server follows the language list: with a fifth language added beside the shipped
four (Esperanto, with a test catalogue), its catalogue and its refusal reasons carry that
language too, in the test catalogue's words or, where it has none, in the English msgid."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from cityserver.app import build_api
from cityserver.catalogue import BY_ID, NOT_BELGIAN, published_catalogue
from cityserver.config import ServerConfig
from cityserver.store import Store
from cityserver.words import localized
from i18n import CODES
from tests.harness.languages import ESPERANTO_CITY, esperanto

ENROLMENT_CODE = "enrol-code-words-1"


def served_catalogue(data_dir: Path) -> tuple[str, dict[str, object]]:
    """GET /v1/catalogue from a server built now, in this process: (ETag, JSON)."""
    config = ServerConfig(data_dir=data_dir)
    store = Store(config.database)
    now = config.clock()
    store.add_enrolment_code(ENROLMENT_CODE, "kiosk-eo-01", "test-hall", now, now + 60)
    api = build_api(config, store)

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://city.test") as city:
            enrolled = await city.post(
                "/v1/terminals/enrol",
                json={"enrolment_code": ENROLMENT_CODE, "terminal_id": "kiosk-eo-01"},
            )
            token = enrolled.json()["token"]
            return await city.get("/v1/catalogue", headers={"Authorization": f"Bearer {token}"})

    try:
        answer = asyncio.run(ask())
    finally:
        store.close()
    assert answer.status_code == 200
    return answer.headers["ETag"], answer.json()


def test_the_catalogue_speaks_the_shipped_languages_in_the_lists_order(tmp_path: Path) -> None:
    _etag, catalogue = served_catalogue(tmp_path)
    for item in catalogue["items"]:  # type: ignore[attr-defined]
        assert list(item["name"]) == list(CODES) == list(item["description"])


def test_a_fifth_language_is_served_in_its_catalogues_words_or_in_english(
    tmp_path: Path,
) -> None:
    shipped_etag, _ = served_catalogue(tmp_path / "before")
    with esperanto(tmp_path / "catalogues"):
        etag, catalogue = served_catalogue(tmp_path / "with-eo")
        items = {item["id"]: item for item in catalogue["items"]}  # type: ignore[attr-defined]
        for item in items.values():
            assert list(item["name"]) == [*CODES, "eo"] == list(item["description"])
        assert items["residence"]["name"]["eo"] == ESPERANTO_CITY["Residence certificate"]
        assert items["residence"]["description"]["eo"] == BY_ID["residence"].description
        assert items["household"]["name"]["eo"] == "Household composition"  # the msgid
        assert items["household"]["name"]["fr"] == "Composition de ménage"  # the others stay
        assert etag != shipped_etag  # a kiosk's cached catalogue is not taken for current

        reason = localized(NOT_BELGIAN)
        assert reason.get("eo") == ESPERANTO_CITY[NOT_BELGIAN]
        assert reason.get("nl") == (
            "Dit getuigschrift is enkel voor personen met de Belgische nationaliteit."
        )
    # Gone with the block: the catalogue is the shipped languages' again.
    assert published_catalogue().etag == shipped_etag
    assert "eo" not in localized(NOT_BELGIAN)
