"""A language no installed voice speaks (Filipino: espeak-ng has none) is shown, not read:
the kiosk says so once, in that language, in writing, and ``speech voices`` lists it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from kiosk.config import SpeechSettings
from kiosk.context import KioskContext
from kiosk.i18n import Translations
from kiosk.speech.speaker import KioskSpeaker
from kiosk.speech.voice_check import voice_reports
from tests.kiosk_fixture import Visitor, make_checkout, window_with
from tests.speech.test_tts_cli import ward_kiosk

NO_VOICE = "fil"


def test_voices_lists_a_language_without_a_voice_as_missing(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text('[kiosk]\nlanguages = ["ja", "fil", "vi"]\n', encoding="utf-8")
    done = ward_kiosk("voices", "--json", config=config)
    assert done.returncode == 0, done.stderr  # missing is not broken: the kiosk shows text
    reports = {r["language"]: r for r in json.loads(done.stdout)}
    assert reports["fil"]["missing"] and not reports["fil"]["works"]
    assert reports["ja"]["works"] and reports["vi"]["works"] and not reports["vi"]["missing"]
    table = ward_kiosk("voices", config=config)
    line = next(row for row in table.stdout.splitlines() if row.startswith("fil"))
    assert "MISSING" in line and "text only" in line


def test_every_other_language_has_a_voice():
    languages = ["ja", "ja-easy", "en", "zh-Hans", "ko", "vi", "ne", "id", "pt-BR"]
    reports = voice_reports(SpeechSettings(), languages)
    assert [r.language for r in reports if not r.works] == []
    assert {r.language: r.voice for r in reports}["zh-Hans"] == "sit/cmn"  # Mandarin


def test_the_speaker_learns_which_language_it_cannot_speak():
    with KioskSpeaker(SpeechSettings(), player=[]) as speaker:
        speaker.warm_up([NO_VOICE, "vi"])
        assert speaker.wait_idle(120)
        assert not speaker.speaks(NO_VOICE)
        assert speaker.speaks("vi")


# Notes each phrase it is asked to play; plays nothing.
PLAYER = "import sys; open(sys.argv[1], 'a').write(sys.argv[2] + '\\n')"


@pytest.mark.pcsc
def test_the_voice_guide_in_filipino_says_once_in_writing_that_there_is_no_voice(
    qtbot, qapp, kiosk_settings, card_service, pcsc_reader, tmp_path: Path
):
    kiosk = kiosk_settings.kiosk.model_copy(update={"languages": ["ja", NO_VOICE]})
    context = KioskContext.load(settings=kiosk_settings.model_copy(update={"kiosk": kiosk}))
    played = tmp_path / "played.log"
    speaker = KioskSpeaker(
        context.settings.speech, player=[sys.executable, "-c", PLAYER, str(played)]
    )
    speaker.warm_up(["ja", NO_VOICE])
    assert speaker.wait_idle(120)
    notice = Translations.load(NO_VOICE).text("ui.common.no_voice")
    try:
        with window_with(
            qtbot, context, card_service, make_checkout(context), speaker=speaker
        ) as w:
            visitor = Visitor(qtbot, w)
            visitor.start(NO_VOICE, voice_guide=True)
            qtbot.waitUntil(w.question.notice.isVisible)
            assert w.question.notice.accessibleName() == notice
            said_before = len(played.read_text().splitlines()) if played.exists() else 0
            visitor.answer("move_in")
            visitor.wait_for(w.question)
            qtbot.wait(500)
            # Once a visit: the next screen shows its own text, no second notice, no sound.
            assert not w.question.notice.isVisible() and not w.question.notice.text()
            assert speaker.wait_idle(30)
            now = len(played.read_text().splitlines()) if played.exists() else 0
            assert now == said_before, "nothing is played for a language without a voice"
    finally:
        speaker.close()
