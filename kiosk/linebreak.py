"""Japanese lines broken only between phrases (BudouX), for word-wrapped labels.

Qt breaks Japanese between any two characters (Unicode line breaking), so a
title could end a line in the middle of a word: 何人です／か？. A zero-width
space (U+200B) alone does not stop that; a word joiner (U+2060) between the
characters of a phrase does. So: a word joiner inside each BudouX phrase, a
zero-width space between phrases. A phrase longer than ``MAX_GLUED`` characters
is left breakable anywhere, so that no line can ever be wider than its label.

:func:`plain` removes what :func:`display_text` added (spaces, joiners and
readings), for text read aloud or compared.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from kiosk.furigana import CLOSE, OPEN, with_readings

ZWSP = "\u200b"
WORD_JOINER = "\u2060"
MAX_GLUED = 10
"""The longest phrase (in characters, readings included) kept on one line: 10 of the
largest normal text (36 px) are a third of the narrowest answer button. Large text
asks for fewer (``max_glued``)."""
MAX_READING = 14
"""The longest reading, parentheses included, kept on one line."""
_HAS_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _parser() -> Any:
    import budoux

    return budoux.load_default_japanese_parser()


@lru_cache(maxsize=4096)
def phrases(text: str) -> tuple[str, ...]:
    """BudouX's phrases of ``text``, line by line (a newline stays its own item)."""
    result: list[str] = []
    for index, line in enumerate(text.split("\n")):
        if index:
            result.append("\n")
        if line:
            result.extend(_parser().parse(line) if _HAS_JAPANESE.search(line) else [line])
    return tuple(result)


@lru_cache(maxsize=4096)
def display_text(
    text: str, language: str, *, furigana: bool = False, max_glued: int = MAX_GLUED
) -> str:
    """``text`` as a word-wrapped label shows it: phrase breaks (and readings) for Japanese."""
    if language != "ja" or not _HAS_JAPANESE.search(text):
        return text
    shown: list[str] = []
    for phrase in phrases(text):
        if phrase == "\n":
            shown.append(phrase)
            continue
        if shown and shown[-1] != "\n":
            shown.append(ZWSP)
        shown.append(_glued(with_readings(phrase) if furigana else phrase, max_glued))
    return "".join(shown)


def _glued(phrase: str, max_glued: int) -> str:
    """A short phrase on one line; a longer one with readings: each reading on one line."""
    if len(phrase) <= max_glued:
        return WORD_JOINER.join(phrase)
    parts = []
    for part in _READING_PART.split(phrase):
        if _READING.fullmatch(part):
            joined = WORD_JOINER.join(part) if len(part) <= MAX_READING else part
            parts.append(ZWSP + joined)
        elif part:
            parts.append(WORD_JOINER.join(part) if len(part) <= max_glued else part)
    return "".join(parts)


_READING = re.compile(f"{OPEN}[\u3041-\u309f\u30fc]+{CLOSE}")
_READING_PART = re.compile(f"({_READING.pattern})")


def plain(shown: str) -> str:
    """The text before :func:`display_text`: no spaces, joiners or readings added."""
    without = shown.replace(ZWSP, "").replace(WORD_JOINER, "")
    return _READING.sub("", without)
