"""``ward-kiosk about`` and the counter app's About: the Japanese voice's licence is named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from kiosk.i18n import Translations
from kiosk.ui.counter.signin import SignInPage

WARD_KIOSK = str(Path(sys.executable).with_name("ward-kiosk"))
CREDIT = ("Mei", "Nagoya Institute of Technology", "CC BY 3.0", "Open JTalk")


def test_about_names_the_voice_and_its_licence():
    done = subprocess.run([WARD_KIOSK, "about"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ward-kiosk ")
    for words in CREDIT:
        assert words in done.stdout


def test_staff_open_about_from_the_sign_in_page(qtbot):
    page = SignInPage(Translations.load("ja"))
    qtbot.addWidget(page)
    page.show()
    assert page.about.text() == "このソフトウェアについて"
    page.about.click()
    box = page.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    for words in CREDIT:
        assert words in box.text()
    box.close()
