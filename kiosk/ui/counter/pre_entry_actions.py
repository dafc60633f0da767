"""The desk's work on a pre-entry: open it by its code, let a kiosk print it once more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.counter_pre_entry import PreEntryDesk, PreEntryView
from kiosk.ui.counter.pre_entry_dialog import PreEntryDialog

if TYPE_CHECKING:
    from kiosk.ui.counter.desk import DeskPage


class PreEntryActions:
    """The pre-entry side of a DeskPage (``page``); the code is held only while shown."""

    def __init__(self, page: DeskPage) -> None:
        self.page = page
        self.dialog: PreEntryDialog | None = None
        self._code = ""

    def open(self, code: str) -> None:
        counter = self.page.counter
        if counter is None:
            return
        desk = PreEntryDesk(self.page.desk)
        self._code = code
        self.page.run(lambda s: desk.open(s, code, counter=counter), self._show)

    def release(self) -> None:
        counter, code = self.page.counter, self._code
        if counter is None or not code:
            return
        desk = PreEntryDesk(self.page.desk)
        self.page.run(
            lambda s: desk.release(s, code, counter=counter),
            lambda view: self._show(view, self.page.t("pre_entry.released")),
        )

    def _show(self, view: PreEntryView, message: str = "") -> None:
        self.page.say("")
        if self.dialog is None:
            self.dialog = PreEntryDialog(self.page.texts, self.release, self.page)
            self.dialog.finished.connect(self._closed)
        self.dialog.show_view(view, message)
        self.dialog.show()

    def _closed(self, _result: int) -> None:
        self._code = ""
        if self.dialog is not None:
            self.dialog.body.clear()
