"""A question in a frame with two large answers side by side.

Used for "これはあなたのカードですか？", "「転入」でよろしいですか？", the My Number
choice on the result screen and the boxes over a screen (最初から, 職員を呼ぶ).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.ui.style import px
from kiosk.ui.widgets import TextLabel, WrapButton, label


class ChoiceBox(QFrame):
    """``texts`` labels (by role) above two buttons: ``left`` and ``right``."""

    def __init__(
        self,
        name: str,
        roles: Sequence[str],
        *,
        left: str = "secondary",
        right: str = "primary",
        margins: int = 28,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        inner = QVBoxLayout(self)
        inner.setContentsMargins(px(margins), px(margins * 0.7), px(margins), px(margins * 0.7))
        inner.setSpacing(px(16))
        self.texts: list[TextLabel] = []
        for role in roles:
            text = label(role=role)
            text.setAlignment(Qt.AlignmentFlag.AlignCenter)
            inner.addWidget(text)
            self.texts.append(text)
        row = QHBoxLayout()
        row.setSpacing(px(24))
        self.left = WrapButton(role=left)
        self.right = WrapButton(role=right)
        row.addWidget(self.left, 1)
        row.addWidget(self.right, 1)
        inner.addLayout(row)
