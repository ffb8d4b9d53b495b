"""The confirm screen's preview: the city's specimen of the certificate's first page when the
kiosk has it (fetched from the demo's city server when the catalogue arrives), the
drawing of a page when the city API cannot give it; the journey goes on in both cases."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image

from tests.ui.conftest import UiKiosk
from tests.ui.test_failures import _faults

pytestmark = pytest.mark.ui

SPECIMEN_CAPTION = "Specimen of the first page"
DRAWING_CAPTION = "Example of the first page"
SPOKEN = "A specimen of the first page is shown."


def specimens_settled(ui: UiKiosk) -> None:
    """Wait until the runtime's specimen worker has done what was asked of it so far."""
    done = threading.Event()
    ui.runtime.executor.specimen_worker.submit(done.set)
    ui.driver.wait_for(done.is_set, 30, "the specimen worker")


def test_the_specimen_of_the_first_page_is_shown(ui: UiKiosk) -> None:
    ui.to_catalogue("English")
    ui.choose("residence")
    screen = ui.screen()
    ui.driver.wait_for(lambda: screen.specimen is not None, 15, "the specimen")
    png = ui.runtime.document_specimen("residence", "en")
    assert png is not None
    width, height = Image.open(io.BytesIO(png)).size
    image = screen.ids.specimen
    first = screen.specimen
    assert image.texture is first and tuple(first.size) == (width, height)
    drawn_width, drawn_height = image.norm_image_size
    assert drawn_height > 200  # a page one can read the shape of, not a thumbnail
    assert drawn_height / drawn_width == pytest.approx(height / width, rel=0.01)
    assert image.opacity == 1
    texts = ui.driver.texts()
    assert SPECIMEN_CAPTION in texts and DRAWING_CAPTION not in texts
    assert screen.spoken_details.endswith(SPOKEN)
    ui.shot("confirm-specimen")
    ui.touch("Back")  # another document: its own specimen
    ui.wait_state("catalogue")
    ui.choose("household")
    ui.driver.wait_for(lambda: screen.specimen is not None, 15, "the second specimen")
    assert image.texture is screen.specimen is not first
    household = ui.runtime.document_specimen("household", "en")
    assert household is not None and household != png


def test_a_specimen_that_comes_late_is_announced_and_repeated(ui: UiKiosk) -> None:
    url = ui.demo.server.url + "/_faults"
    specimens_settled(ui)
    ui.runtime.executor.specimens.clear()
    late = {"kind": "latency", "path_prefix": "/v1/catalogue/residence/specimen", "seconds": 2}
    _faults(url, "PUT", [late])
    try:
        ui.touch("Écouter")
        ui.to_catalogue("English")
        ui.choose("residence")
        screen = ui.screen()
        assert screen.specimen is None, "the specimen was meant to be on its way still"
        assert SPOKEN not in " ".join(u.text for u in ui.speaker.utterances)
        ui.driver.wait_for(lambda: screen.specimen is not None, 15, "the late specimen")
        said = ui.speaker.utterances[-1]
        assert (said.text, said.interrupt) == (SPOKEN, False)  # after what was being said
        ui.speaker.clear()
        ui.touch("Repeat")
        again = ui.speaker.utterances[-1].text
        assert again.startswith("Check before printing.") and SPOKEN in again
    finally:
        _faults(url, "DELETE")
    ui.demo.remove_card()


def test_without_specimens_the_drawing_shows_and_the_journey_completes(ui: UiKiosk) -> None:
    url = ui.demo.server.url + "/_faults"
    specimens_settled(ui)  # nothing of an earlier test arrives after the cache is emptied
    ui.runtime.executor.specimens.clear()
    _faults(url, "PUT", [{"kind": "error", "path_prefix": "/v1/catalogue/", "status": 503}])
    try:
        ui.to_catalogue("English")
        ui.choose("residence")
        specimens_settled(ui)  # it tried, and gave up
        ui.driver.advance(0.6)  # the screen asked again meanwhile
        screen = ui.screen()
        assert screen.specimen is None
        assert ui.runtime.document_specimen("residence", "en") is None
        assert screen.ids.specimen.opacity == 0
        texts = ui.driver.texts()
        assert DRAWING_CAPTION in texts and SPECIMEN_CAPTION not in texts
        assert SPOKEN not in screen.spoken_details
        ui.shot("confirm-no-specimen")
        ui.touch("Print")
        ui.wait_state("take_card", timeout=30)  # printed all the same
    finally:
        _faults(url, "DELETE")
    ui.demo.remove_card()
    ui.wait_state("thank_you")
    ui.touch("Finish")
    ui.wait_state("attract")
