"""Every screen fits the smallest supported kiosk display, controls included."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.pcsc

SMALLEST = (1280, 1024)


def test_every_screen_fits_the_smallest_display(kiosk_window):
    width, height = SMALLEST
    hint = kiosk_window.stack.minimumSizeHint()
    assert hint.width() <= width and hint.height() <= height, hint
    for screen in kiosk_window.screens:
        size = screen.minimumSizeHint()
        assert size.height() <= height, (screen.objectName(), size)
        assert size.width() <= width, (screen.objectName(), size)
