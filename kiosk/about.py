"""The version, and the licences of the voices, models and fonts."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from kiosk.resources import resource


def about_text() -> str:
    """What staff read under "About": the version and every third-party notice."""
    try:
        installed = version("ward-kiosk")
    except PackageNotFoundError:
        installed = "not installed"
    notices = resource("about", "notices.txt").read_text(encoding="utf-8")
    return f"ward-kiosk {installed}\n\n{notices}"
