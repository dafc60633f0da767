"""``doctor``'s checks of the kiosk's voice: the engines, each offered language's voice
rendering a test phrase, the audio player, and the microphone."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

from kiosk.config import Settings
from kiosk.doctor import Check, error, ok, warning
from kiosk.speech.voice_check import VoiceReport, voice_reports
from kiosk.speech.voices import engine_name_for

TTS_TIMEOUT_SECONDS = 20.0
"""pyttsx3 starts in well under a second; a driver that hangs is given up on after this."""
# Run in a child process: a hung speech engine can be ended there, and the engine's
# process-wide hooks (espeak's callback) stay out of this process.
_TTS_PROBE = """\
import json, pyttsx3
engine = pyttsx3.Engine()
voices = [[str(v.id), [str(c) for c in v.languages or []]] for v in engine.getProperty("voices")]
print(json.dumps({"driver": str(engine.driver_name), "voices": voices}))
"""


class TtsUnavailable(Exception):
    """pyttsx3 could not be started; the message says why."""


@dataclass(frozen=True)
class TtsInfo:
    driver: str
    voices: list[tuple[str, list[str]]]
    """Voice id and its language codes, as the engine lists them."""


def tts_checks(settings: Settings, timeout: float = TTS_TIMEOUT_SECONDS) -> list[Check]:
    """The engine starts, each offered language has a voice, and there is an audio player."""
    name = "text to speech"
    if not settings.speech.read_aloud:
        return [ok(name, "read-aloud is off (speech.read_aloud = false): not checked")]
    languages = list(settings.kiosk.languages)
    try:
        info = probe_tts(timeout)
    except TtsUnavailable as e:
        action = "install espeak-ng (Linux) or a Windows speech voice; screens are not read aloud"
        return [error(name, str(e), action)]
    checks = [ok(name, f"pyttsx3 starts with {info.driver}, {len(info.voices)} voices")]
    for language in settings.kiosk.languages:
        if engine_name_for(settings.speech, language) == "pyttsx3":
            voice = settings.speech.voices.get(language)
            checks.append(voice_check(language, info, voice.voice if voice else ""))
    checks += [spoken_check(report) for report in voice_reports(settings.speech, languages)]
    return [*checks, player_check()]


def spoken_check(report: VoiceReport) -> Check:
    """One language's voice rendered its test phrase (what ``speech voices`` prints)."""
    name = f"voice guide ({report.language})"
    if report.works:
        detail = f"{report.engine} voice {report.voice} speaks ({report.seconds} s test phrase)"
        return ok(name, detail)
    if report.missing:
        detail = "no installed voice speaks it: visitors see its texts without hearing them"
        return warning(name, detail, f"install a {report.language} voice to have it read aloud")
    action = f"see ward-kiosk speech voices; fix speech.voices.{report.language}"
    if report.language.startswith("ja") and report.engine != "openjtalk":
        action = "install pyopenjtalk-plus for the Japanese voice, or " + action
    return error(name, f"{report.engine} cannot speak it: {report.error}", action)


def microphone_check(settings: Settings) -> Check:
    """Whether visitors can answer by voice: a microphone PortAudio can open at 16 kHz."""
    from kiosk.speech.audio import microphone_problem

    name = "microphone"
    problem = microphone_problem()
    if problem is None:
        return ok(name, "an input device takes 16 kHz mono: visitors can answer by speaking")
    detail = f"{problem}: the Speak button is hidden, visitors answer by touch"
    return warning(name, detail, "connect a microphone or headset, then restart the kiosk")


def probe_tts(timeout: float = TTS_TIMEOUT_SECONDS) -> TtsInfo:
    """Start pyttsx3 in a child process and list its voices; TtsUnavailable if it cannot."""
    try:
        done = subprocess.run(  # noqa: S603 - this Python, a fixed script
            [sys.executable, "-c", _TTS_PROBE],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TtsUnavailable(f"pyttsx3 did not start within {timeout:g} s") from None
    except OSError as e:
        raise TtsUnavailable(f"could not run {sys.executable}: {e}") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise TtsUnavailable(f"pyttsx3 does not start: {lines[-1]}")
    return _tts_info(done.stdout)


def _tts_info(output: str) -> TtsInfo:
    try:
        data = json.loads(output.strip().splitlines()[-1])
        voices = [(str(v), [str(code) for code in codes]) for v, codes in data["voices"]]
        return TtsInfo(str(data["driver"]), voices)
    except (ValueError, IndexError, KeyError, TypeError) as e:
        raise TtsUnavailable(f"pyttsx3 listed its voices unreadably: {e!r}") from None


def voice_check(language: str, info: TtsInfo, configured: str = "") -> Check:
    """The configured voice is installed, or (none configured) one for the language is."""
    name = f"voice ({language})"
    setting = f"speech.voices.{language}.voice"
    if configured:
        if configured in {voice_id for voice_id, _ in info.voices}:
            return ok(name, f"{configured} (set in {setting})")
        detail = f"the voice {configured!r} set in {setting} is not installed"
        return warning(name, detail, f"set {setting} to an installed voice, or leave it empty")
    from kiosk.speech.pyttsx3_voice import voice_for

    found = voice_for(language, info.voices)
    if found is not None:
        return ok(name, f"{info.driver} voice {found}")
    detail = f"{info.driver} has no voice for {language}: its screens may not be read aloud"
    return warning(name, detail, f"install a {language} voice for {info.driver}, or set {setting}")


def player_check() -> Check:
    from kiosk.speech.tts import find_player

    player = find_player()
    if player is None:
        action = "install an audio player: alsa-utils (aplay) or pulseaudio-utils (paplay)"
        return warning("audio player", "no audio player found: nothing is heard", action)
    return ok("audio player", player[0])
