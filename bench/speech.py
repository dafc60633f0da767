"""Speech recognition: the kiosk's take/ask/reject decision against a plain grammar.

Korean utterances are synthesized with espeak-ng (several voices, speeds,
pitches), Japanese ones with Open JTalk (several speeds and pitches); sox
converts them to 16 kHz mono and mixes in pink noise. Every spoken form of every
choice of every screen is said, and out-of-grammar sentences are tried on four
screens. The baseline, in the same run, is the plain grammar: the choices'
spoken forms alone, no fillers, its top choice always taken.

`bench/run.py speech` measures Korean; `bench/run.py speech --lang ja` Japanese,
when a Japanese model is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Row
from kiosk.catalog import Catalog
from kiosk.config import Settings
from kiosk.speech import openjtalk
from kiosk.speech.audio import SAMPLE_RATE, WavSource
from kiosk.speech.errors import ModelError
from kiosk.speech.grammar import all_phrases, screen_choices
from kiosk.speech.models import load_model, model_sources
from kiosk.speech.recognizer import Recognition, SpeechRecognizer, missing_words

VOICES = [("ko", 150, 50), ("ko+m3", 130, 35), ("ko+f2", 175, 65), ("ko+f4", 160, 55)]
JA_VOICES = [(1.0, 0.0), (0.85, -3.0), (1.2, 3.0), (0.95, 5.0)]
"""Open JTalk speed and pitch (half tones) pairs."""
NOISE = 0.02  # pink noise amplitude: roughly 20 dB below the speech
OUT_OF_GRAMMAR = [
    "모르겠어요",
    "오늘 날씨가 좋네요",
    "화장실이 어디예요",
    "잠깐만요",
    "삼십오",
    "백이십칠",
    "커피 한 잔 주세요",
    "지하철역은 어디에 있나요",
    "감사합니다",
    "안녕하세요",
    "여보세요",
    "글쎄요",
    "천천히 말해 주세요",
    "버스 정류장",
    "점심 먹었어요",
    "일 이 삼 사",
    "배가 고파요",
    "저기요",
    "시간이 얼마나 걸려요",
    "다시 한번 말해 주세요",
]
JA_OUT_OF_GRAMMAR = [
    "わかりません",
    "今日はいい天気ですね",
    "トイレはどこですか",
    "ちょっと待ってください",
    "三十五",
    "百二十七",
    "コーヒーを一杯ください",
    "駅はどこにありますか",
    "ありがとうございます",
    "こんにちは",
    "もしもし",
    "そうですねえ",
    "ゆっくり話してください",
    "バス停",
    "お昼を食べました",
    "いち、に、さん、し",
    "おなかがすきました",
    "すみません",
    "時間はどのくらいかかりますか",
    "もう一度言ってください",
]
OOG_SCREENS = ["purpose", "household_size", "children", "insurance_change"]
INSTALL_JA = "ward-kiosk models install --lang ja vosk-model-small-ja-0.22.zip"


@dataclass(frozen=True)
class Utterance:
    screen: str
    text: str
    expected: str | None  # None: out of grammar, must not be taken
    wav: Path


def cache_dir() -> Path:
    folder = Path(os.environ.get("SPEECH_BENCH_CACHE", tempfile.gettempdir()))
    path = folder / "ward-kiosk-speech-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def synthesize(text: str, voice: tuple[str, int, int], noise: float = NOISE) -> Path:
    """A 16 kHz mono WAV of Korean ``text`` said by espeak-ng (cached by text, voice, noise)."""
    name, speed, pitch = voice

    def speak(raw: Path) -> None:
        espeak = ["espeak-ng", "-v", name, "-s", str(speed), "-p", str(pitch), "-w", str(raw)]
        subprocess.run([*espeak, text], check=True, capture_output=True)

    return _cached(f"{text}|{name}|{speed}|{pitch}|{noise}|repeatable", speak, noise)


def synthesize_ja(text: str, voice: tuple[float, float], noise: float = NOISE) -> Path:
    """A 16 kHz mono WAV of Japanese ``text`` said by Open JTalk (cached like ``synthesize``)."""
    speed, half_tone = voice

    def speak(raw: Path) -> None:
        # The kiosk's own Open JTalk rendering, in this process; the forms are spelled
        # as the model's words, spaced, and said without the spaces.
        job = {"text": text.replace(" ", ""), "speed": speed, "half_tone": half_tone}
        openjtalk.synthesize(job | {"volume": 1.0, "out": str(raw)})

    return _cached(f"ja|{text}|{speed}|{half_tone}|{noise}", speak, noise)


def _cached(key: str, speak: Callable[[Path], None], noise: float) -> Path:
    """``speak`` writes a WAV; it is resampled to 16 kHz mono with pink noise and cached."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    out = cache_dir() / f"{digest}.wav"
    if out.exists():
        return out
    with tempfile.TemporaryDirectory() as tmp:
        raw, clean = Path(tmp, "raw.wav"), Path(tmp, "clean.wav")
        speak(raw)
        # sox -R: repeatable noise and dither, so every machine hears the same audio.
        convert = ["sox", "-R", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(clean)]
        subprocess.run([*convert, "pad", "0.3", "0.6"], check=True, capture_output=True)
        noisy = Path(tmp, "noisy.wav")
        hiss = f"|sox -R {clean} -p synth pinknoise vol {noise}"
        subprocess.run(
            ["sox", "-R", "-m", "-v", "1", str(clean), "-v", "1", hiss, "-b", "16", str(noisy)],
            check=True,
            capture_output=True,
        )
        shutil.move(noisy, out)
    return out


@dataclass(frozen=True)
class Speech:
    """How one language is said for the benchmark."""

    language: str
    name: str
    voices: Sequence[Any]
    say: Callable[[str, Any], Path]
    out_of_grammar: Sequence[str]


LANGUAGES = {
    "ko": Speech("ko", "Korean", VOICES, synthesize, OUT_OF_GRAMMAR),
    "ja": Speech("ja", "Japanese", JA_VOICES, synthesize_ja, JA_OUT_OF_GRAMMAR),
}


def screens(language: str = "ko") -> dict[str, dict[str, list[str]]]:
    tree = Catalog.load().tree
    return {qid: screen_choices(language, qid) for qid in tree.questions}


def in_grammar(voices_per_form: int = 1, language: str = "ko") -> Iterator[Utterance]:
    """Every form of every choice of every screen, in ``voices_per_form`` rotating voices."""
    speech = LANGUAGES[language]
    turn = 0
    for screen, choices in screens(language).items():
        for choice, forms in choices.items():
            for form in forms:
                for _ in range(voices_per_form):
                    wav = speech.say(form, speech.voices[turn % len(speech.voices)])
                    yield Utterance(screen, form, choice, wav)
                    turn += 1


def out_of_grammar(screen_ids: Sequence[str], language: str = "ko") -> Iterator[Utterance]:
    speech = LANGUAGES[language]
    for i, text in enumerate(speech.out_of_grammar):
        wav = speech.say(text, speech.voices[i % len(speech.voices)])
        for screen in screen_ids:
            yield Utterance(screen, text, None, wav)


@dataclass
class Tally:
    """Outcomes: taken, asked (the visitor confirms or not) and rejected, right or wrong."""

    right: int = 0
    """Taken without asking, and right."""
    wrong: int = 0
    """Taken without asking, and wrong."""
    asked_right: int = 0
    asked_wrong: int = 0
    rejected: int = 0
    oog: int = 0
    false_accepts: int = 0
    """Out of grammar and taken without asking."""
    oog_asked: int = 0

    def add(self, utterance: Utterance, recognition: Recognition) -> None:
        asked = recognition.needs_confirmation
        heard = recognition.candidate if asked else recognition.choice
        if utterance.expected is None:
            self.oog += 1
            self.false_accepts += recognition.choice is not None
            self.oog_asked += asked
        elif heard is None:
            self.rejected += 1
        elif heard == utterance.expected:
            self.asked_right += asked
            self.right += not asked
        else:
            self.asked_wrong += asked
            self.wrong += not asked

    @property
    def said(self) -> int:
        return self.right + self.wrong + self.asked_right + self.asked_wrong + self.rejected

    @property
    def reached(self) -> int:
        """Right answers taken, directly or once the visitor confirms."""
        return self.right + self.asked_right

    @property
    def asked_share(self) -> float:
        return self.asked_right / max(1, self.reached)

    def note(self) -> str:
        """Taken answers only: how a decision without asking does."""
        said, oog = max(1, self.said), max(1, self.oog)
        return (
            f"right {self.right}/{said} ({self.right / said:.1%}), wrong {self.wrong}, "
            f"none {said - self.right - self.wrong}; out of grammar taken "
            f"{self.false_accepts / oog:.1%} "
            f"({self.false_accepts}/{self.oog})"
        )

    def outcome_note(self, baseline: Tally) -> str:
        said = max(1, self.said)
        return (
            f"reached {self.reached}/{said} ({self.reached / said:.1%}; baseline "
            f"{baseline.right}) = taken {self.right} + asked {self.asked_right} "
            f"({self.asked_share:.1%} asked); wrong taken {self.wrong}, wrong asked "
            f"{self.asked_wrong}, rejected {self.rejected}"
        )

    def oog_note(self) -> str:
        oog = max(1, self.oog)
        rejected = self.oog - self.false_accepts - self.oog_asked
        return (
            f"false accepts {self.false_accepts / oog:.1%} ({self.false_accepts}/{self.oog}), "
            f"asked {self.oog_asked}, rejected {rejected}"
        )


def load(language: str) -> tuple[Any, Path, float] | None:
    """The language's model, its folder and seconds to load; None (and why) when missing."""
    source = model_sources(Settings()).get(language)
    if source is None:
        hint = f" Install it with: {INSTALL_JA}" if language == "ja" else ""
        print(f"speech: no {LANGUAGES[language].name} speech model is installed.{hint}")
        return None
    started = time.perf_counter()
    try:
        model = load_model(source[0])
    except ModelError as e:
        print(f"speech: the {language} model at {source[0]} does not load: {e}")
        return None
    return model, source[0], time.perf_counter() - started


def run(voices_per_form: int = 2, lang: str = "ko") -> list[Row]:
    if lang not in LANGUAGES:
        raise SystemExit(f"speech: no benchmark for language {lang!r} (have {sorted(LANGUAGES)})")
    loaded = load(lang)
    if loaded is None:
        return []
    model, path, load_seconds = loaded
    recognizer = SpeechRecognizer(model, lang)
    all_screens = screens(lang)
    utterances = list(in_grammar(voices_per_form, lang))
    oog = list(out_of_grammar(OOG_SCREENS, lang))
    kiosk = {sid: recognizer.for_choices(c) for sid, c in all_screens.items()}
    plain = {sid: recognizer.for_choices(c, reject=False) for sid, c in all_screens.items()}
    ours, base = Tally(), Tally()
    ms: dict[str, list[float]] = {"ours": [], "base": [], "oog": []}
    for u in utterances + oog:
        result = kiosk[u.screen].recognize(WavSource(u.wav))
        ours.add(u, result)
        ms["oog" if u.expected is None else "ours"].append(result.ms / 1000)
        baseline = plain[u.screen].recognize(WavSource(u.wav))
        base.add(u, baseline)
        ms["base"].append(baseline.ms / 1000)
    name = LANGUAGES[lang].name
    unknown = len(missing_words(model, all_phrases(lang)))
    return [
        Row(
            f"speech: load {name} model",
            [load_seconds],
            note=f"{path.name}, {unknown} unknown words",
        ),
        Row("speech: plain grammar, top choice (baseline)", ms["base"], note=base.note()),
        Row("speech: take/ask/reject, in grammar", ms["ours"], ms["base"], ours.outcome_note(base)),
        Row("speech: take/ask/reject, out of grammar", ms["oog"], ms["base"], ours.oog_note()),
    ]
