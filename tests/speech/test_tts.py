"""Read-aloud: the recording double, PIN feedback, and pyttsx3 with the real espeak-ng."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.config import SpeechSettings, VoiceSettings
from kiosk.i18n import Translations
from kiosk.services import Speaker as UiSpeaker
from kiosk.speech.kana import to_kana
from kiosk.speech.phrases import phrase_language, split_phrases
from kiosk.speech.speaker import KioskSpeaker, memory_folder
from kiosk.speech.tts import (
    RecordingSpeaker,
    Speaker,
    SpeakError,
    SpeakerState,
    Utterance,
    pin_feedback,
    wav_seconds,
)
from tests.audio_checks import assert_speaks

needs_espeak = pytest.mark.skipif(
    ctypes.util.find_library("espeak-ng") is None, reason="libespeak-ng1 is not installed"
)
# Plays like a sound card would (as long as the audio lasts) without needing one,
# and notes each file it was given.
FAKE_PLAYER = """
import sys, time, wave
with open(sys.argv[1], "a") as log:
    log.write(sys.argv[2] + "\\n")
with wave.open(sys.argv[2]) as w:
    time.sleep(w.getnframes() / w.getframerate())
"""
LONG_TEXT = "This sentence goes on for quite a while, so that there is time to stop it. " * 8


def peak(path: Path) -> int:
    with wave.open(str(path)) as w:
        frames = w.readframes(w.getnframes())
    samples = memoryview(frames).cast("h")
    return max(abs(s) for s in samples)


# -- the test double and PIN feedback ---------------------------------------------------


def test_both_speakers_speak_the_protocols():
    recording: Speaker = RecordingSpeaker()
    ui: UiSpeaker = recording
    assert ui is recording
    assert {"say", "stop", "repeat", "set_volume", "reset_volume", "close", "last"} <= set(
        dir(KioskSpeaker)
    )


def test_recording_speaker_records_what_was_asked():
    speaker = RecordingSpeaker()
    speaker.say("ようこそ", "ja")
    speaker.say("   ", "ja")
    speaker.stop()
    speaker.say("Welcome", "en")
    speaker.repeat()
    welcome = Utterance("Welcome", "en")
    assert speaker.said == [Utterance("ようこそ", "ja"), welcome, welcome]
    assert speaker.texts("ja") == ["ようこそ"]
    assert [c.action for c in speaker.calls] == ["say", "stop", "say", "say"]
    assert speaker.last == Utterance("Welcome", "en")


def test_recording_speaker_volume_and_close():
    speaker = RecordingSpeaker(voices={"ja": VoiceSettings(volume=0.7)})
    assert speaker.volume_for("ja") == 0.7
    assert speaker.volume_for("en") == VoiceSettings().volume
    speaker.set_volume(1.5)
    assert speaker.volume_for("ja") == 1.0
    speaker.reset_volume()
    assert speaker.volume_for("ja") == 0.7
    speaker.close()
    speaker.say("too late", "en")
    assert speaker.said == []
    assert speaker.closed


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "入力しました。4けた中2けた"), ("en", "Digit entered, 2 of 4")],
)
def test_pin_feedback_counts_digits(language: str, expected: str):
    assert pin_feedback(2, 4, Translations.load(language)) == expected


def test_pin_feedback_never_says_a_digit():
    texts = Translations.load("ja")
    speaker = RecordingSpeaker()
    for count in range(1, 5):
        speaker.say(pin_feedback(count, 4, texts), "ja")
    speaker.say(pin_feedback(3, 4, texts, deleted=True), "ja")
    # Only the counts and the length appear; any other digit would be the PIN's.
    assert all(set(filter(str.isdigit, t)) <= {"1", "2", "3", "4"} for t in speaker.texts())
    assert "消しました" in speaker.texts()[-1]
    with pytest.raises(ValueError, match="5 digits of a 4-digit PIN"):
        pin_feedback(5, 4, texts)


def test_to_kana_reads_kanji_and_keeps_digits_and_latin():
    assert to_kana("転入届") == "てんにゅうとどけ"
    assert to_kana("マイナンバーカード") == "まいなんばーかーど"
    assert to_kana("PIN 1234 を入力") == "PIN 1234 をにゅうりょく"
    assert to_kana("") == ""


# -- pyttsx3 with espeak-ng -------------------------------------------------------------


@pytest.fixture
def played(tmp_path: Path) -> Path:
    return tmp_path / "played.log"


@pytest.fixture
def failures() -> list[str]:
    return []


@pytest.fixture
def speaker(played: Path, failures: list[str]) -> Iterator[KioskSpeaker]:
    settings = SpeechSettings(voices={"ja": VoiceSettings(rate=160, volume=0.8)})
    player = [sys.executable, "-c", FAKE_PLAYER, str(played)]
    with KioskSpeaker(settings, player=player, on_failed=failures.append) as s:
        yield s


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@needs_espeak
def test_english_is_written_with_an_english_voice(speaker: KioskSpeaker, tmp_path: Path):
    wav = tmp_path / "en.wav"
    seconds = speaker.save("Please place your card on the reader.", "en", wav)
    assert 1.0 < seconds < 6.0
    assert wav_seconds(wav) == seconds
    assert peak(wav) > 3000


@needs_espeak
def test_without_open_jtalk_japanese_kanji_are_read_as_kana(tmp_path: Path):
    kanji, kana, raw = tmp_path / "kanji.wav", tmp_path / "kana.wav", tmp_path / "raw.wav"
    settings = SpeechSettings(voices={"ja": VoiceSettings(engine="pyttsx3")})
    with KioskSpeaker(settings, player=[]) as speaker:
        speaker.save("転入届", "ja", kanji)
        speaker.save("てんにゅうとどけ", "ja", kana)
    # What espeak-ng makes of the kanji itself: "Chinese letter" for each.
    subprocess.run(["espeak-ng", "-v", "ja", "-w", str(raw), "転入届"], check=True)
    assert wav_seconds(kanji) == pytest.approx(wav_seconds(kana), rel=0.05)
    assert wav_seconds(raw) > 1.5 * wav_seconds(kanji)


@needs_espeak
def test_a_voice_that_does_not_exist_is_an_error_not_a_crash(tmp_path: Path):
    settings = SpeechSettings(voices={"en": VoiceSettings(voice="no-such-voice")})
    with KioskSpeaker(settings) as speaker:
        with pytest.raises(SpeakError, match="no-such-voice"):
            speaker.save("hello", "en", tmp_path / "x.wav")
        assert speaker.save("こんにちは", "ja", tmp_path / "ja.wav") > 0.3


@needs_espeak
def test_say_returns_at_once_and_plays(speaker: KioskSpeaker, played: Path, failures: list[str]):
    start = time.monotonic()
    speaker.say("転入届を出します。", "ja")
    assert time.monotonic() - start < 0.05
    assert speaker.last == Utterance("転入届を出します。", "ja")
    assert speaker.wait_idle(10)
    assert len(played.read_text().splitlines()) == 1
    assert speaker.state is SpeakerState.IDLE
    assert failures == []


@needs_espeak
def test_stop_ends_a_long_utterance_promptly_and_drops_the_queue(
    speaker: KioskSpeaker, played: Path
):
    speaker.say(LONG_TEXT, "en")
    speaker.say("Queued, never heard.", "en")
    speaker.say("Nor this.", "en")
    wait_for(played.exists)  # the player is playing
    start = time.monotonic()
    speaker.stop()
    assert time.monotonic() - start < 0.05
    assert speaker.wait_idle(0.5)
    assert time.monotonic() - start < 0.5
    assert len(played.read_text().splitlines()) == 1
    assert speaker.state is SpeakerState.IDLE
    speaker.repeat()  # the Repeat button: the last text asked for, again
    assert speaker.last == Utterance("Nor this.", "en")
    assert speaker.wait_idle(10)
    assert len(played.read_text().splitlines()) == 2


@needs_espeak
def test_volume_is_the_visitors_until_reset(speaker: KioskSpeaker, tmp_path: Path):
    assert speaker.volume_for("ja") == 0.8
    assert speaker.volume_for("en") == VoiceSettings().volume
    speaker.set_volume(0.2)
    assert speaker.volume_for("ja") == speaker.volume_for("en") == 0.2
    quiet = tmp_path / "quiet.wav"
    speaker.save("こんにちは", "ja", quiet)
    speaker.reset_volume()
    assert speaker.volume_for("ja") == 0.8
    normal = tmp_path / "normal.wav"
    speaker.save("こんにちは", "ja", normal)
    assert peak(quiet) * 2.5 < peak(normal)


@needs_espeak
def test_no_sound_card_is_reported_and_later_texts_still_go(tmp_path: Path):
    failures: list[str] = []
    broken = [sys.executable, "-c", "import sys; sys.exit('no default audio device')"]
    with KioskSpeaker(player=broken, on_failed=failures.append) as speaker:
        speaker.say("hello", "en")
        assert speaker.wait_idle(10)
        assert speaker.state is SpeakerState.FAILED
        assert failures == [speaker.last_error]
        assert failures[0].endswith("could not play: no default audio device")
        assert speaker.save("still working", "en", tmp_path / "x.wav") > 0.3
        speaker.say("again", "en")
        assert speaker.wait_idle(10)
        assert len(failures) == 2


def test_a_missing_player_is_reported(tmp_path: Path):
    failures: list[str] = []
    with KioskSpeaker(player=[str(tmp_path / "no-such-player")], on_failed=failures.append) as s:
        s.say("hello", "en")
        assert s.wait_idle(10)
    assert len(failures) == 1


def test_close_leaves_no_thread_and_ignores_later_calls(tmp_path: Path):
    before = set(threading.enumerate())
    speaker = KioskSpeaker(player=[sys.executable, "-c", FAKE_PLAYER, str(tmp_path / "log")])
    worker = speaker.thread
    assert worker.is_alive()
    speaker.say(LONG_TEXT, "en")
    start = time.monotonic()
    speaker.close()
    assert time.monotonic() - start < 2.0
    assert not worker.is_alive()
    assert set(threading.enumerate()) <= before
    speaker.say("after close", "en")
    speaker.close()
    with pytest.raises(SpeakError, match="closed"):
        speaker.save("after close", "en", tmp_path / "x.wav")


@needs_espeak
def test_two_speakers_in_one_process_keep_their_own_rate(tmp_path: Path):
    # espeak-ng has one rate per process: each speaker must still get its own.
    text = "Please place your card on the reader."
    speakers = {
        rate: KioskSpeaker(SpeechSettings(voices={"en": VoiceSettings(rate=rate)}), player=[])
        for rate in (110, 260)
    }
    seconds: dict[int, list[float]] = {rate: [] for rate in speakers}

    def talk(rate: int) -> None:
        for i in range(4):
            seconds[rate].append(speakers[rate].save(text, "en", tmp_path / f"{rate}-{i}.wav"))

    threads = [threading.Thread(target=talk, args=(rate,)) for rate in speakers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for speaker in speakers.values():
        speaker.close()
    assert len(seconds[110]) == len(seconds[260]) == 4
    assert min(seconds[110]) > 1.8 * max(seconds[260]), seconds


# -- phrase by phrase -------------------------------------------------------------------

SCREEN_EN = (
    "Question 2 of 7. Where did you move from?\nAnother city, town or village in Japan\n"
    "Another ward of Osaka City\nAbroad\nBack"
)


@needs_espeak
def test_a_screen_is_played_phrase_by_phrase_in_order(tmp_path: Path):
    played, heard = tmp_path / "played.log", []
    busy: list[bool] = []
    player = [sys.executable, "-c", FAKE_PLAYER, str(played)]
    with KioskSpeaker(player=player, on_audio=lambda u, i: heard.append(i)) as speaker:
        speaker.watch(busy.append)
        speaker.say(SCREEN_EN, "en")
        assert speaker.wait_idle(60)
        assert not list(Path(speaker._tmp.name).glob("*.wav")), "no audio is left on disk"
    assert heard == list(range(len(split_phrases(SCREEN_EN, "en")))) == list(range(6))
    assert len(played.read_text().splitlines()) == 6
    assert busy == [True, False]
    # A phrase may hold a visitor's name: rendered in RAM (tmpfs), never on disk.
    ram = memory_folder()
    assert ram is not None
    assert all(line.startswith(ram) for line in played.read_text().splitlines())
    kind = subprocess.run(["stat", "-f", "-c", "%T", ram], capture_output=True, text=True)
    assert kind.stdout.strip() == "tmpfs"


@needs_espeak
def test_stop_in_the_middle_of_a_screen_drops_the_phrases_after(tmp_path: Path):
    played, heard = tmp_path / "played.log", []
    player = [sys.executable, "-c", FAKE_PLAYER, str(played)]
    with KioskSpeaker(player=player, on_audio=lambda u, i: heard.append(i)) as speaker:
        speaker.say(SCREEN_EN, "en")
        wait_for(lambda: len(heard) >= 2)
        speaker.stop()
        assert speaker.wait_idle(5)
        assert not list(Path(speaker._tmp.name).glob("*.wav")), "no audio is left on disk"
    assert heard == [0, 1]


def test_japanese_is_spoken_by_open_jtalk_phrase_by_phrase(tmp_path: Path):
    played, heard = tmp_path / "played.log", []
    player = [sys.executable, "-c", FAKE_PLAYER, str(played)]
    text = "全7問中、2問目。どこから引っ越してきましたか？\nほかの市区町村から\n海外から"
    with KioskSpeaker(player=player, on_audio=lambda u, i: heard.append(i)) as speaker:
        speaker.say(text, "ja")
        assert speaker.wait_idle(60)
        out = tmp_path / "ja.wav"
        seconds = speaker.save(text, "ja", out)
    assert heard == list(range(len(split_phrases(text, "ja"))))
    assert_speaks(out, text)
    with wave.open(str(out)) as w:
        assert w.getframerate() == 48000  # Open JTalk's voice, not espeak-ng's 22050 Hz
    assert seconds == pytest.approx(wav_seconds(out))


def test_a_korean_word_on_a_japanese_screen_is_said_in_korean(tmp_path: Path):
    out = tmp_path / "mixed.wav"
    with KioskSpeaker(player=[]) as speaker:
        seconds = speaker.save("言語\n日本語\nEnglish\n한국어", "ja", out)
        alone = speaker.save("言語\n日本語\nEnglish", "ja", tmp_path / "alone.wav")
    assert seconds > alone + 0.3, "한국어 was left out"
    assert phrase_language("한국어", "ja") == "ko"
    assert phrase_language("国民健康保険", "en") == "ja"
    assert phrase_language("아동수당 (児童手当)", "ko") == "ko"


def test_phrases_keep_the_first_one_short():
    phrases = split_phrases("本日はどのようなご用件ですか？ご用件を選んでください。", "ja")
    assert phrases[0] == "本日はどのようなご用件ですか？"
    long = "、".join(["引っ越してきた人のための手続き"] * 6) + "。"
    cut = split_phrases(long, "ja")
    assert len(cut[0]) <= 16 + 1 and all(len(p) <= 40 for p in cut[1:])
    assert "".join(cut) == long
    assert split_phrases("！\n・\nBack", "en") == ["Back"]


def test_an_open_jtalk_process_that_died_is_started_again(tmp_path: Path):
    from kiosk.speech.openjtalk import OpenJTalkEngine

    engine = OpenJTalkEngine()
    try:
        engine.render("こんにちは", "ja", VoiceSettings(), 0.9, tmp_path / "one.wav")
        assert engine._process is not None
        engine._process.kill()
        engine._process.wait()
        engine.render("こんにちは", "ja", VoiceSettings(), 0.9, tmp_path / "two.wav")
        assert wav_seconds(tmp_path / "two.wav") == pytest.approx(wav_seconds(tmp_path / "one.wav"))
    finally:
        engine.close()


def test_an_open_jtalk_failure_is_reported_without_the_text(tmp_path: Path):
    from kiosk.speech.openjtalk import OpenJTalkEngine, OpenJTalkError

    engine = OpenJTalkEngine()
    try:
        with pytest.raises(OpenJTalkError) as raised:
            engine.render("山田太郎", "ja", VoiceSettings(), 0.9, tmp_path / "no" / "x.wav")
        assert "山田太郎" not in str(raised.value)
        assert "No such file" in str(raised.value)
        engine.render("山田太郎", "ja", VoiceSettings(), 0.9, tmp_path / "ok.wav")  # goes on
    finally:
        engine.close()
