"""Place the My Number card, or go on without one."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QFrame, QHBoxLayout

from kiosk.i18n import Translations
from kiosk.resources import resource
from kiosk.ui.choice_box import ChoiceBox
from kiosk.ui.style import px
from kiosk.ui.widgets import ScreenFrame, label


class IdentityScreen(ScreenFrame):
    back_requested = Signal()
    no_card_chosen = Signal()
    own_card_confirmed = Signal()  # "これはあなたのカードですか？" — yes
    not_own_card = Signal()

    def __init__(self) -> None:
        super().__init__("identity")
        self.picture = picture = QSvgWidget(str(resource("ui", "place_card.svg")))
        picture.setFixedSize(QSize(px(360), px(250)))  # millimetres, like the text
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(picture)
        row.addStretch(1)
        self.body.addLayout(row)
        self.status = label(role="status")
        self.hint = label(role="hint")
        self.no_card_hint = label(role="hint")
        for widget in (self.status, self.hint, self.no_card_hint):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.body.addWidget(widget)
        self.body.addWidget(self._whose_card_box())
        # A message or the question takes the picture's place: the screen keeps its height.
        self.notice.shown.connect(lambda _text: self.picture.hide())
        self.notice.cleared.connect(self._show_picture)
        self.body.addStretch(1)
        self.back = self.footer_button("secondary", self.back_requested, 1)
        self.no_card = self.footer_button("primary", self.no_card_chosen, 2)
        self._texts: Translations | None = None

    def retranslate(self, texts: Translations) -> None:
        self._texts = texts
        self.title.setText(texts.text("ui.identity.title"))
        self.hint.setText(texts.text("ui.identity.hint"))
        self.back.setText(texts.text("ui.common.back"))
        self.no_card.setText(texts.text("ui.identity.no_card"))
        self.no_card_hint.setText(texts.text("ui.identity.no_card_hint"))
        self.show_waiting()

    def _whose_card_box(self) -> QFrame:
        """Asked when the card on the reader was already there in the previous visit."""
        self.whose_card = box = ChoiceBox("confirmBox", ("confirmQuestion",))
        [self.whose_card_question] = box.texts
        self.not_mine, self.mine = box.left, box.right
        self.not_mine.clicked.connect(self.not_own_card)
        self.mine.clicked.connect(self.own_card_confirmed)
        box.hide()
        return box

    def ask_whose_card(self) -> None:
        if self._texts:
            self.whose_card_question.setText(self._texts.text("ui.identity.whose_card"))
            self.mine.setText(self._texts.text("ui.identity.mine"))
            self.not_mine.setText(self._texts.text("ui.identity.not_mine"))
        for widget in (self.picture, self.hint, self.no_card_hint):
            widget.hide()  # the question takes their place: the screen keeps its height
        self.whose_card.show()

    def hide_whose_card(self) -> None:
        self.whose_card.hide()
        self.hint.show()
        self.no_card_hint.show()
        self._show_picture()

    def _show_picture(self) -> None:
        self.picture.setVisible(self.whose_card.isHidden() and self.notice.isHidden())

    def show_waiting(self) -> None:
        if self._texts:
            self.status.setText(self._texts.text("ui.identity.waiting"))

    def show_checking(self) -> None:
        if self._texts:
            self.status.setText(self._texts.text("ui.identity.checking"))
