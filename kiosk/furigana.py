"""Furigana for Japanese screen text: each kanji word followed by its reading.

Qt labels cannot draw ruby, so a reading follows its kanji in full-width
parentheses: 転入届（てんにゅうとどけ）. Okurigana stay outside: 出（だ）す.

Readings come from pykakasi, not from the Open JTalk front end the voice uses:
pykakasi is already a kiosk dependency (the espeak voice's kana), loads its
dictionary in about 0.4 s without holding the interpreter for long, and returns
whole words (住民票, not 住民 + 票), which keeps the parentheses few. Open JTalk's
morphemes are finer and it misreads words a screen shows often (何人 as なにニン).
Terms either reads wrong are listed in ``resources/furigana/ja.toml``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kiosk.resources import read_toml, resource
from kiosk.speech.kana import warm_up as warm_up  # loads the dictionary (about 0.4 s)
from kiosk.speech.kana import words

_KANJI = re.compile(r"[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
OPEN, CLOSE = "（", "）"


def has_kanji(text: str) -> bool:
    return _KANJI.search(text) is not None


@lru_cache(maxsize=1)
def overrides() -> dict[str, str]:
    """The ward terms' readings from resources/furigana/ja.toml, longest term first."""
    readings = read_toml(resource("furigana", "ja.toml")).get("readings", {})
    ordered = sorted(readings.items(), key=lambda item: -len(item[0]))
    return {str(term): str(reading) for term, reading in ordered}


@lru_cache(maxsize=4096)
def with_readings(text: str) -> str:
    """``text`` with the reading in parentheses after each word holding kanji."""
    if not has_kanji(text):
        return text
    return "".join(_annotated(part) for part in _split_on_terms(text))


def _split_on_terms(text: str) -> list[str]:
    terms = overrides()
    if not terms:
        return [text]
    pattern = "|".join(re.escape(term) for term in terms)
    return [part for part in re.split(f"({pattern})", text) if part]


def _annotated(part: str) -> str:
    known = overrides().get(part)
    if known is not None:
        return f"{part}{OPEN}{known}{CLOSE}"
    if not has_kanji(part):
        return part
    return "".join(ruby(str(w["orig"]), str(w["hira"])) for w in words(part))


def ruby(word: str, reading: str) -> str:
    """``word`` with ``reading`` after its kanji, its leading and trailing kana kept out."""
    if not has_kanji(word) or not reading or word == reading:
        return word
    head = 0
    while head < min(len(word), len(reading)) and _same_kana(word[head], reading[head]):
        head += 1
    tail = 0
    while tail < min(len(word), len(reading)) - head and _same_kana(
        word[-1 - tail], reading[-1 - tail]
    ):
        tail += 1
    core_end, reading_end = len(word) - tail, len(reading) - tail
    core, core_reading = word[head:core_end], reading[head:reading_end]
    if not has_kanji(core) or not core_reading:
        return word
    return f"{word[:head]}{core}{OPEN}{core_reading}{CLOSE}{word[core_end:]}"


def _same_kana(char: str, kana: str) -> bool:
    """Whether ``char`` (hiragana or katakana) is the hiragana ``kana``."""
    if char == kana:
        return True
    return "\u30a1" <= char <= "\u30f6" and chr(ord(char) - 0x60) == kana
