"""pytest plugin: a kiosk window on real devices (virtual card via pcscd, SQLite, PDFs).

Fixtures: ``kiosk_settings`` (settings pointing at a temporary folder),
``kiosk_context``, ``kiosk_window`` (a shown KioskWindow on the virtual reader, its
forms and tickets written to ``kiosk_settings.output_dir()``), and ``visitor`` (a
helper that clicks through the screens like a visitor would).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kiosk.card.service import CardService
from kiosk.checkout import Checkout
from kiosk.config import Settings
from kiosk.context import KioskContext
from kiosk.printing import FolderPrinter
from kiosk.tickets import PdfTicketPrinter
from tests.keys import open_store

WAIT_MS = 15_000


@pytest.fixture
def kiosk_settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "ward": {"name": "大阪市北区役所", "names": {"en": "Kita Ward Office"}},
            "kiosk": {"fullscreen": False},
            "database": {
                "url": f"sqlite:///{tmp_path / 'db' / 'kiosk.db'}",
                "private_key_file": str(tmp_path / "keys" / "ward-key.pem"),
                "public_key_file": str(tmp_path / "keys" / "ward-key.pem.pub"),
            },
            "printing": {"output_dir": str(tmp_path / "printed")},
            "card": {"allow_virtual_reader": True},  # the tests' reader is vpcd's
        }
    )


@pytest.fixture
def kiosk_context(kiosk_settings: Settings) -> KioskContext:
    return KioskContext.load(settings=kiosk_settings)


def make_checkout(context: KioskContext, **printers: Any) -> Checkout:
    settings = context.settings
    folder = FolderPrinter(settings.output_dir())
    return Checkout(
        context,
        lambda: open_store(settings.database_url(), settings.private_key_file()),
        printers.get("forms", folder),
        PdfTicketPrinter(printers.get("tickets", folder)),
    )


@pytest.fixture
def kiosk_window(
    qtbot: Any, qapp: Any, kiosk_context: KioskContext, card_service: CardService
) -> Iterator[Any]:
    from kiosk.ui.app import apply_theme

    apply_theme(qapp)
    with window_with(qtbot, kiosk_context, card_service, make_checkout(kiosk_context)) as window:
        yield window


def watch_readers(callback: Any) -> Any:
    """The real reader monitor (the tests' private pcscd has only the virtual reader)."""
    from kiosk.card.monitor import ReaderMonitor

    return ReaderMonitor(callback)


@contextmanager
def window_with(
    qtbot: Any, context: KioskContext, card: Any, checkout: Checkout, **devices: Any
) -> Iterator[Any]:
    """A shown KioskWindow on the given checkout, shut down and checked afterwards.

    ``devices`` go to the window as they are (``speaker=``, ``listener=``).
    """
    from kiosk.ui.window import KioskWindow

    window = KioskWindow(context, card, checkout, watch_readers=watch_readers, **devices)
    qtbot.addWidget(window)
    window.resize(1280, 1024)
    window.show()
    try:
        yield window
    finally:
        window.shutdown()
        checkout.close()
        assert window.runner.wait(5_000), "a worker thread outlived the test"


class Visitor:
    """Clicks through the kiosk like a visitor, waiting for each screen."""

    def __init__(self, qtbot: Any, window: Any) -> None:
        self.qtbot = qtbot
        self.window = window

    def click(self, button: Any) -> None:
        from PySide6.QtCore import Qt

        assert button.isVisible() and button.isEnabled(), button.accessibleName()
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def wait_for(self, screen: Any, timeout: int = WAIT_MS) -> None:
        self.qtbot.waitUntil(lambda: self.window.current_screen() is screen, timeout=timeout)

    def start(self, language: str = "ja", *, voice_guide: bool = False) -> None:
        """Touch the language (which starts the visit) and wait for the first question."""
        if voice_guide:
            self.click(self.window.welcome.voice_guide)
        self.click(self.window.welcome.language_buttons[language])
        self.wait_for(self.window.question)

    def enter_pin(self, pin: str) -> None:
        self.wait_for(self.window.pin)
        for digit in pin:
            self.click(self.window.pin.keys[digit])
        self.click(self.window.pin.ok_key)

    def with_card(self, pin: str, *, number: bool = False) -> None:
        """From the result screen: go on with the card (reading the number too when
        ``number``), type the PIN and wait for the check screen."""
        window = self.window
        self.wait_for(window.result)
        self.click(window.result.card if number else _card_button(window.result))
        self.enter_pin(pin)
        self.wait_for(window.confirm)

    def without_card(self) -> None:
        self.wait_for(self.window.result)
        self.click(self.window.result.no_card)

    def wait_for_question(self, question_id: str) -> None:
        self.wait_for(self.window.question)
        self.qtbot.waitUntil(lambda: self.window.question.question_id == question_id)

    def answer(self, *choices: str) -> None:
        for choice in choices:
            self.wait_for(self.window.question)
            self.qtbot.wait(self.window.question.tap_guard_ms + 50)  # a visitor reads first
            self.click(self.window.question.choice_buttons[choice])


def _card_button(result: Any) -> Any:
    """The result screen's "continue with the card" that does not read the number."""
    return result.card_only if result.card_only.isVisible() else result.card_plain


@pytest.fixture
def visitor(qtbot: Any, kiosk_window: Any) -> Visitor:
    return Visitor(qtbot, kiosk_window)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
