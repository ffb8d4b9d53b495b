"""Choose a document: large tiles (icon, name, price or "free"), at most six a page."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

from screens.base import KioskScreen
from screens.discard import unbind_rules
from screens.rules import load_rules
from screens.theme import THEME
from screens.translate import tr
from screens.widgets.tile import DocumentTile
from session.context import SessionContext
from session.events import Back, ChooseDocument, DocumentOffer
from session.states import State

load_rules(__file__)

MAX_PER_PAGE = 6
TILE_MIN_W_DP = 400
TILE_MIN_H_DP = 160


class CatalogueScreen(KioskScreen):
    scale = NumericProperty(1.0)  # THEME.scale, set by the class rule
    page = NumericProperty(0)
    pages = NumericProperty(1)
    page_text = StringProperty("")
    has_pages = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        self._offers: tuple[DocumentOffer, ...] = ()
        self._tiles: list[DocumentTile] = []
        self._tiles_for: tuple[object, ...] = ()
        self._built: tuple[object, ...] = ()
        super().__init__(**kwargs)
        self.fbind("size", self._layout)
        self.fbind("scale", self._layout)

    def update(self, state: State, context: SessionContext) -> None:
        self.title = tr._("Choose a document")
        self.summary = tr._("Touch the document you need. You see its price on it.")
        if context.offers != self._offers:
            self._offers = context.offers
            self.page = 0
        self._layout()

    def reset(self) -> None:
        super().reset()
        self.ids.grid.clear_widgets()
        self._forget_tiles()
        self._offers = ()
        self._tiles_for = ()
        self._built = ()
        self.page = 0

    def discard(self) -> None:
        super().discard()
        self._forget_tiles()  # those of other pages are not under the screen

    def _forget_tiles(self) -> None:
        unbind_rules(*self._tiles)
        self._tiles = []

    def on_kv_post(self, _base: object) -> None:
        self.ids.grid.fbind("size", self._layout)

    # -- layout: as many tiles as fit at a readable size (3 x 2 on a large landscape screen,
    # 2 x 3 in portrait, fewer with large text or on a small screen), never more than six; at
    # least one row, which the page's body scrolls to when the text above leaves no room

    def grid_shape(self) -> tuple[int, int]:
        grid = self.ids.grid
        gap, scale = dp(24), THEME.scale
        cols = int((grid.width + gap) // (dp(TILE_MIN_W_DP) * scale + gap))
        rows = int((grid.height + gap) // (dp(TILE_MIN_H_DP) * scale + gap))
        cols, rows = max(1, min(3, cols)), max(1, min(3, rows))
        while cols * rows > MAX_PER_PAGE:
            rows -= 1
        return cols, rows

    def per_page(self) -> int:
        cols, rows = self.grid_shape()
        return min(MAX_PER_PAGE, cols * rows)

    def tiles(self) -> list[DocumentTile]:
        """One tile per offer, made once per offers and language (a new text size or window
        moves the same tiles into a new grid)."""
        made_for = (self._offers, tr.lang)
        if made_for != self._tiles_for:
            self._tiles_for = made_for
            self._forget_tiles()
            for offer in self._offers:
                name, icon = self.describe(offer.document_id)
                price = tr.price(offer.price_cents)
                tile = DocumentTile(
                    document_id=offer.document_id, icon=icon, text=name, price=price
                )
                tile.bind(on_release=self._chosen)
                self._tiles.append(tile)
        return self._tiles

    def _layout(self, *_args: object) -> None:
        self.ids.grid.size_hint_min_y = dp(TILE_MIN_H_DP) * THEME.scale
        per_page = self.per_page()
        self.pages = max(1, -(-len(self._offers) // per_page))
        self.page = min(self.page, self.pages - 1)
        self.has_pages = self.pages > 1
        self.page_text = tr._("Page {page} of {pages}").format(page=self.page + 1, pages=self.pages)
        # Rebuild only on a real change: a touch's Touch() step must not pull its tile away.
        built = (self._offers, tr.lang, self.grid_shape(), self.page)
        if built == self._built:
            return
        self._built = built
        grid = self.ids.grid
        grid.clear_widgets()
        grid.cols, grid.rows = self.grid_shape()
        start = self.page * per_page
        for tile in self.tiles()[start : start + per_page]:
            grid.add_widget(tile)
        for _ in range(per_page - len(grid.children)):
            grid.add_widget(Widget())  # keeps the cells equal on a last, partly filled page

    def turn(self, step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._layout()

    def back(self) -> None:
        self.send(Back())

    def _chosen(self, tile: DocumentTile) -> None:
        self.send(ChooseDocument(tile.document_id))
