"""見やすく: large text, high contrast and furigana, chosen by the visitor for one visit.

:class:`ViewModes` owns the three toggles and the panel that shows them over the
window (opened by the 見やすく button in every screen's toolbar). It restyles the
window (``window.setStyleSheet``, see :mod:`kiosk.ui.style`) and decorates every
word-wrapped text: Japanese phrase breaks always, readings in ふりがな mode
(:mod:`kiosk.linebreak`). The toggle for furigana is shown only in Japanese.

How ``KioskWindow`` wires it (kiosk/ui/window.py):

- in ``_build_screens``, after ``self.overlay = IdleOverlay(self)``::

      self.view_modes = ViewModes(self, self.screens, lambda: self.texts)

  (it connects every screen's ``view_button`` to :meth:`ViewModes.open` itself,
  and follows the window's size with an event filter);
- in ``_go``, right after ``self.stack.setCurrentWidget(screen)``::

      self.view_modes.apply(screen)

  (toolbar texts in the visitor's language, new labels decorated; screens with a
  ``repaginate()`` method are paginated again when the texts' sizes changed). Call
  it again whenever a screen builds new labels while it is shown;
- in ``choose_language``, after ``self.welcome.retranslate(...)``::

      self.view_modes.apply(self.welcome)

- in ``end_visit``, before ``self.show_welcome()``: ``self.view_modes.reset()``;
- optionally ``self.view_modes.changed.connect(...)`` (e.g. to read the screen again).

The idle overlay is a child of the window, so it follows the style as well. The
toolbar's buttons are not read aloud with each screen (``narration.SKIPPED``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QPushButton, QVBoxLayout, QWidget

from kiosk.i18n import Translations
from kiosk.linebreak import MAX_GLUED, display_text
from kiosk.ui.style import Look, px, stylesheet
from kiosk.ui.widgets import Decorate, ScreenFrame, WrapButton, label, refresh

MODES = ("large_text", "high_contrast", "furigana")
LARGE_TEXT_GLUED = 6
"""Large text: phrases of up to 6 characters kept on one line (a narrow button's line)."""


class ViewPanel(QWidget):
    """The toggles over the screen, with a Close button."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("viewPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        box = QFrame(self)
        box.setObjectName("viewBox")
        box.setMinimumWidth(px(700))
        inner = QVBoxLayout(box)
        inner.setContentsMargins(px(48), px(36), px(48), px(36))
        inner.setSpacing(px(24))
        self.title = label(role="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(self.title)
        self.toggles: dict[str, QPushButton] = {}
        for mode in MODES:
            toggle = QPushButton()
            toggle.setObjectName("viewToggle")
            toggle.setCheckable(True)
            toggle.setCursor(Qt.CursorShape.PointingHandCursor)
            inner.addWidget(toggle)
            self.toggles[mode] = toggle
        self.close_button = WrapButton(role="primary")
        inner.addWidget(self.close_button)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(1)
        self.hide()


class ViewModes(QObject):
    """The visitor's view modes for ``window``; :meth:`reset` for the next visitor."""

    changed = Signal()

    def __init__(
        self,
        window: QWidget,
        screens: Sequence[ScreenFrame],
        texts: Callable[[], Translations],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._texts = texts
        self._screens = list(screens)
        self._screen: QWidget | None = None
        self._decoration: tuple[tuple[str, bool, int], Decorate] | None = None
        self.large_text = False
        self.high_contrast = False
        self.furigana = False
        self.panel = ViewPanel(window)
        for mode, toggle in self.panel.toggles.items():
            toggle.toggled.connect(lambda on, m=mode: self.set_mode(m, on))
        self.panel.close_button.clicked.connect(self.close)
        for screen in screens:
            screen.view_button.clicked.connect(self.open)
        window.installEventFilter(self)

    @property
    def language(self) -> str:
        return self._texts().language

    @property
    def look(self) -> Look:
        return Look(large_text=self.large_text, high_contrast=self.high_contrast)

    def decoration(self) -> Decorate | None:
        """What word-wrapped labels show instead of their text (None: the text itself).

        The same function while the language and modes stay, so that labels already
        showing it are left alone."""
        language, furigana = self.language, self.furigana
        if language != "ja":
            return None
        glued = LARGE_TEXT_GLUED if self.large_text else MAX_GLUED
        key = (language, furigana, glued)
        if self._decoration is None or self._decoration[0] != key:
            decorate = partial(display_text, language=language, furigana=furigana, max_glued=glued)
            self._decoration = (key, decorate)
        return self._decoration[1]

    def apply(self, screen: QWidget | None) -> None:
        """After a screen change: its toolbar in the visitor's language, its texts decorated."""
        self._screen = screen
        if isinstance(screen, ScreenFrame):
            screen.set_toolbar_texts(self._texts())
        if refresh(self._window, self.decoration()):
            self._repaginate()

    def set_mode(self, mode: str, on: bool) -> None:
        if mode not in MODES or getattr(self, mode) == on:
            return
        setattr(self, mode, on)
        self._restyle()
        self._relabel()
        self.changed.emit()

    def reset(self) -> None:
        """Back to the normal view, the panel closed: for the next visitor."""
        was = (self.large_text, self.high_contrast, self.furigana)
        self.large_text = self.high_contrast = self.furigana = False
        self.close()
        if any(was):
            self._restyle()
            self.changed.emit()
        self._relabel()

    def open(self) -> None:
        self._relabel()
        self.panel.setGeometry(self._window.rect())
        self.panel.show()
        self.panel.raise_()

    def close(self) -> None:
        self.panel.hide()

    def _restyle(self) -> None:
        look = self.look
        self._window.setStyleSheet(stylesheet(look) if look != Look() else "")
        refresh(self._window, self.decoration())
        self._repaginate()

    def _repaginate(self) -> None:
        """Screens that cut their content into pages cut it again for the new sizes."""
        for screen in self._screens:
            repaginate = getattr(screen, "repaginate", None)
            if callable(repaginate):
                repaginate()

    def _relabel(self) -> None:
        """The panel's texts, each toggle saying whether it is on (not by colour alone)."""
        texts = self._texts()
        panel = self.panel
        panel.title.setText(texts.text("ui.view.title"))
        panel.close_button.setText(texts.text("ui.view.close"))
        for mode, toggle in panel.toggles.items():
            on = bool(getattr(self, mode))
            state = texts.text("ui.view.on" if on else "ui.view.off")
            toggle.setText(f"{texts.text(f'ui.view.{mode}')}:  {state}")
            toggle.blockSignals(True)
            toggle.setChecked(on)
            toggle.blockSignals(False)
        panel.toggles["furigana"].setVisible(texts.language == "ja")
        refresh(panel, self.decoration())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Resize:
            self.panel.setGeometry(self._window.rect())
        return False
