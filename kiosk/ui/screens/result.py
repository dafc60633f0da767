"""The procedures the visitor needs, what to bring, and where to go, a page at a time.

The title is the route ("手続き 4つ: 2番 → 5番 → 8番窓口"); the procedures follow
as pages with 前へ / 次へ (nothing to scroll), always from the first page, cut to
fit whatever the text size (result_pages). The visitor then goes on with the card
or without it; when a procedure needs the My Number, two card buttons say whether
it is read with the same PIN, and the procedures that need it are named above them.
Calendar warnings (a deadline, a procedure not accepted today) come first on the first
page, above the procedures, boxed like the screen's notices.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.calendar_rules import CalendarWarning
from kiosk.guidance import Step, route_summary
from kiosk.i18n import Translations
from kiosk.ui.choice_box import ChoiceBox
from kiosk.ui.screens.result_pages import (
    PAGE_SPACING,
    cut_into_pages,
    step_card,
    warning_label,
)
from kiosk.ui.style import px
from kiosk.ui.widgets import ScreenFrame, TextLabel, WrapButton, label, refresh

PAGE_SLACK = 16  # reference px kept free on a page: line heights round up when drawn


class ResultScreen(ScreenFrame):
    card_chosen = Signal(bool)  # go on with the card; True: read the My Number too
    no_card_chosen = Signal()
    retry_requested = Signal()
    back_requested = Signal()

    def __init__(self) -> None:
        super().__init__("result")
        self.summary: TextLabel = self.title  # the route is the title
        self.pages = QStackedWidget()
        self.body.addWidget(self.pages, 1)
        self.body.addLayout(self._page_row())
        self.body.addWidget(self._number_box())
        self.back = self.footer_button("secondary", self.back_requested, 2)
        self.no_card = self.footer_button("secondary", self.no_card_chosen, 3)
        self.card_plain = WrapButton(role="primary")
        self.card_plain.clicked.connect(lambda: self.card_chosen.emit(False))
        self.footer.addWidget(self.card_plain, 4)
        self.retry = self.footer_button("primary", self.retry_requested, 4)
        self._steps: list[Step] = []
        self.warnings: list[str] = []  # the calendar warnings shown, in the visitor's language
        self._texts: Translations | None = None
        self._number_needed = False

    def _page_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(px(24))
        self.previous_page = WrapButton(role="pageButton")
        self.next_page = WrapButton(role="pageButton")
        self.page_label = label(role="status", wrap=False)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous_page.clicked.connect(lambda: self.turn(-1))
        self.next_page.clicked.connect(lambda: self.turn(1))
        for widget in (self.previous_page, self.next_page, self.page_label):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)  # one page or several: nothing moves
            widget.setSizePolicy(policy)
        row.addWidget(self.previous_page, 2)
        row.addWidget(self.page_label, 1)
        row.addWidget(self.next_page, 2)
        return row

    def _number_box(self) -> QFrame:
        """Which procedures need the My Number, and the two ways on with the card."""
        self.number_box = box = ChoiceBox("numberBox", ("hint",), margins=0)
        [self.number_hint] = box.texts
        self.number_hint.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.card_only, self.card_with_number = box.left, box.right
        self.card_only.clicked.connect(lambda: self.card_chosen.emit(False))
        self.card_with_number.clicked.connect(lambda: self.card_chosen.emit(True))
        box.hide()
        return box

    def show_steps(
        self,
        steps: list[Step],
        texts: Translations,
        *,
        number_needed_by: list[str],
        warnings: Sequence[CalendarWarning] = (),
    ) -> None:
        """Show the procedures from the first page; ``number_needed_by`` names the
        procedures that need the My Number (the card buttons then ask about it),
        ``warnings`` are shown above them (kiosk.calendar_rules, for the kiosk today)."""
        self.wipe()
        self._texts, self._steps = texts, list(steps)
        self.warnings = [warning.text(texts) for warning in warnings]
        self.title.setText(route_summary(texts, steps) or texts.text("ui.result.title"))
        self.previous_page.setText(texts.text("ui.result.previous_page"))
        self.next_page.setText(texts.text("ui.result.next_page"))
        self.back.setText(texts.text("ui.common.back"))
        self.no_card.setText(texts.text("ui.result.without_card"))
        self._number_needed = bool(number_needed_by)
        names = texts.text("ui.result.list_separator").join(number_needed_by)
        self.number_hint.setText(texts.text("ui.result.number_hint", procedures=names))
        self.card_with_number.setText(texts.text("ui.result.with_card_and_number"))
        self.card_only.setText(texts.text("ui.result.with_card_no_number"))
        self.card_plain.setText(texts.text("ui.result.with_card"))
        self.retry.setText(texts.text("ui.common.retry"))
        self._show_actions(retrying=False)
        self.notice.clear_message()
        self.repaginate()

    def show_failure(self, message: str) -> None:
        """The checkout failed: say why and offer "Try again" (the visit is kept)."""
        self._show_actions(retrying=True)
        self.notice.show_message(message)

    def _show_actions(self, *, retrying: bool) -> None:
        # A message shows here only with "Try again": no line is kept for it before.
        policy = self.notice.sizePolicy()
        policy.setRetainSizeWhenHidden(retrying)
        self.notice.setSizePolicy(policy)
        self.retry.setVisible(retrying)
        self.retry.setEnabled(retrying)
        self.no_card.setVisible(not retrying)
        self.card_plain.setVisible(not retrying and not self._number_needed)
        self.number_box.setVisible(not retrying and self._number_needed)

    @property
    def card(self) -> WrapButton:
        """The main "continue with the card" button: it reads the My Number too when a
        procedure needs it (``card_only`` then goes on without reading it)."""
        return self.card_with_number if self._number_needed else self.card_plain

    # -- pages ----------------------------------------------------------------

    @property
    def page(self) -> int:
        return self.pages.currentIndex()

    def turn(self, step: int) -> None:
        """Go ``step`` pages on (negative: back), within the pages there are."""
        index = max(0, min(self.pages.count() - 1, self.pages.currentIndex() + step))
        self.pages.setCurrentIndex(index)
        self._update_page_row()

    def _update_page_row(self) -> None:
        count, index = self.pages.count(), self.pages.currentIndex()
        for widget in (self.previous_page, self.next_page, self.page_label):
            widget.setVisible(count > 1)
        self.previous_page.setEnabled(index > 0)
        self.next_page.setEnabled(index < count - 1)
        self.page_label.setText(f"{index + 1} / {count}")

    def repaginate(self) -> None:
        """Cut the procedures into pages for the room there is now, from the first."""
        texts = self._texts
        self._clear_pages()
        if texts is None or not self._steps:
            self._update_page_row()
            return
        layout = self.layout()
        if layout is not None:
            layout.activate()  # the page area's size, before the pages are made
        decoration = self.title.decoration

        def make(number: int, step: Step, items: Sequence[str], continued: bool) -> QFrame:
            card = step_card(self.pages, texts, number, step, items, continued)
            refresh(card, decoration)
            card.ensurePolished()
            return card

        width = max(200, self.pages.width())
        height = max(120, self.pages.height() - px(PAGE_SLACK))
        nothing = texts.text("ui.result.nothing_to_bring")
        lead = [warning_label(self.pages, text) for text in self.warnings]
        for widget in lead:
            refresh(widget, decoration)
            widget.ensurePolished()
        for cards in cut_into_pages(self._steps, make, width, height, nothing, lead):
            self._add_page(cards)
        self.pages.setCurrentIndex(0)
        self._update_page_row()

    def _add_page(self, cards: list[QFrame]) -> None:
        page = QWidget()
        rows = QVBoxLayout(page)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(PAGE_SPACING)
        for card in cards:
            rows.addWidget(card)
            card.show()
        rows.addStretch(1)
        self.pages.addWidget(page)

    def _clear_pages(self) -> None:
        while (page := self.pages.widget(0)) is not None:
            self.pages.removeWidget(page)
            page.deleteLater()
        for name in ("stepCard", "notice"):
            for card in self.pages.findChildren(QFrame, name):
                card.deleteLater()  # measured but not placed

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._steps and event.size() != event.oldSize():
            self.repaginate()

    def wipe(self) -> None:
        self.title.clear()
        self.warnings = []
        self._steps = []
        self._clear_pages()
        self._update_page_row()
