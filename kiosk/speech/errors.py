"""Typed speech errors; ``code`` is stable for the UI and the command line."""

from __future__ import annotations


class SpeechError(Exception):
    """Something in speech input failed; ``code`` names what, the message explains."""

    code = "speech_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class MicrophoneMissing(SpeechError):
    code = "microphone_missing"


class AudioError(SpeechError):
    code = "bad_audio"


class ModelError(SpeechError):
    """No model for the language ("model_missing") or it does not load ("model_invalid")."""

    code = "model_invalid"


class ModelInstallError(SpeechError):
    """Codes: "bad_language", "unsafe_target", "checksum_required", "bad_checksum",
    "checksum_mismatch", "too_large", "bad_archive", "unsafe_archive", "bad_layout",
    "manifest_mismatch", "language_mismatch", "bad_manifest"."""

    code = "bad_archive"


class NoVoiceError(SpeechError):
    """No installed voice speaks the language: the kiosk shows its texts only."""

    code = "no_voice"

    def __init__(self, language: str) -> None:
        super().__init__(
            f"no installed voice speaks {language!r}: install one (an espeak-ng voice, or the"
            " Windows language pack with its speech voice); until then the kiosk shows that"
            " language's texts without reading them aloud"
        )
        self.language = language
