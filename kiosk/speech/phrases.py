"""Cut a narration into phrases that are rendered and played one after another.

A screen's narration runs for a minute or more; rendered whole, the visitor
would wait seconds before hearing anything (and espeak-ng through pyttsx3
writes no audio at all for long texts). Phrases are rendered while the one
before is playing, so the first words are heard as soon as the first phrase
is ready. The first phrase is kept short for that reason.
"""

from __future__ import annotations

import re

# Sentence ends: Japanese and Chinese full stops, and ". ! ?" followed by a space.
_SENTENCE = re.compile(r"(?<=[。！？!?])|(?<=[.!?])(?=\s)")
# Places a long sentence may be cut: commas, colons and semicolons of both widths.
_PAUSE = re.compile(r"(?<=[、，,;；:：])")
MAX_CHARS = {"ja": 40, "zh": 40, "ko": 60}
"""Longest phrase per language before it is cut at a pause (CJK scripts say more per letter)."""
DEFAULT_MAX_CHARS = 120
FIRST_MAX_CHARS = {"ja": 16, "zh": 16, "ko": 24}
"""The first phrase is cut shorter still: it alone decides how soon the visitor hears anything."""
DEFAULT_FIRST_MAX_CHARS = 48
# An official Japanese term beside a translation, "Moving-in notification (転入届)": said
# on its own, in the Japanese voice, so the visitor hears how to ask for it at the counter.
_JAPANESE_TERM = re.compile(r"\s*([（(][^()（）]*[\u3040-\u30ff\u4e00-\u9fff][^()（）]*[)）])\s*")
# A reading after a word, 転入届（てんにゅうとどけ）: the voice reads the word already.
_READING = re.compile(r"(?<=[\u4e00-\u9fff])[（(][\u3040-\u309f・ー]+[)）]")


def split_phrases(text: str, language: str) -> list[str]:
    """The phrases of ``text`` in order: lines, then sentences, long ones cut at pauses."""
    base = language.replace("_", "-").split("-")[0].lower()
    limit = MAX_CHARS.get(base, DEFAULT_MAX_CHARS)
    phrases: list[str] = []
    if base == "ja":
        text = _READING.sub("", text)
    for line in text.splitlines():
        for sentence in _SENTENCE.split(line):
            for part in _terms_apart(sentence, base):
                phrases.extend(_cut(part.strip(), limit))
    phrases = [p for p in phrases if _speakable(p)]
    if phrases:
        first = _cut(phrases[0], FIRST_MAX_CHARS.get(base, DEFAULT_FIRST_MAX_CHARS))
        phrases[:1] = first
    return phrases


def phrase_language(phrase: str, language: str) -> str:
    """The language to say ``phrase`` in: a phrase wholly in another CJK script is said in
    that script's language ("한국어" on the Japanese welcome screen, in a Korean voice)."""
    base = language.replace("_", "-").split("-")[0].lower()
    if base != "ja" and _JAPANESE_TERM.fullmatch(phrase):
        return "ja"
    hangul = any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" for ch in phrase)
    japanese = any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in phrase)
    if hangul and not japanese and base != "ko":
        return "ko"
    if japanese and not hangul and base not in ("ja", "zh"):
        return "ja"
    return language


def _terms_apart(sentence: str, base: str) -> list[str]:
    """The sentence, with each official Japanese term in brackets as a piece of its own
    (in every language but Japanese)."""
    if base == "ja":
        return [sentence]
    return [piece for piece in _JAPANESE_TERM.split(sentence) if piece.strip()]


def _cut(sentence: str, limit: int) -> list[str]:
    """Pieces of ``sentence`` at pauses, joined back while they fit in ``limit``."""
    if len(sentence) <= limit:
        return [sentence] if sentence else []
    pieces: list[str] = []
    for part in _PAUSE.split(sentence):
        part = part.strip()
        if pieces and len(pieces[-1]) + len(part) + 1 <= limit:
            pieces[-1] = f"{pieces[-1]} {part}" if _spaced(part) else pieces[-1] + part
        elif part:
            pieces.append(part)
    return pieces


def _spaced(text: str) -> bool:
    return bool(text) and text[0].isascii()


def _speakable(phrase: str) -> bool:
    """Whether a phrase has anything to say (not only punctuation or symbols)."""
    return any(ch.isalnum() for ch in phrase)
