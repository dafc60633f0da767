"""Japanese text as hiragana, for voices (espeak-ng) that read kanji as "Chinese letter".

Plain Python (pykakasi is imported when first used): ``kiosk.furigana`` reads its
words through ``words`` too, with or without the speech extras.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _converter() -> Any:
    # Loading the dictionaries takes about half a second: once per process, in the
    # speaker's thread, never while the kiosk starts.
    import pykakasi

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def warm_up() -> None:
    """Load the dictionaries now, so the first Japanese utterance is not late."""
    with _lock:
        _converter()


def words(text: str) -> list[dict[str, Any]]:
    """pykakasi's words of ``text``, each with its "orig" and "hira" (one converter, and
    one lock, for every thread)."""
    with _lock:
        return list(_converter().convert(text))


def to_kana(text: str) -> str:
    """Kanji and katakana as hiragana; digits, latin letters and punctuation kept."""
    if not text:
        return text
    return "".join(str(part["hira"]) for part in words(text))
