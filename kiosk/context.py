"""Everything the kiosk reads at start: settings, catalog and translations, cross-checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.catalog import Catalog
from kiosk.config import ConfigError, Settings, load_settings
from kiosk.i18n import REFERENCE_LANGUAGE, Translations, available_languages
from kiosk.resources import use_ward_dir


@dataclass(frozen=True)
class KioskContext:
    settings: Settings
    catalog: Catalog
    texts: dict[str, Translations]  # by language code, in the order offered

    @classmethod
    def load(
        cls, config_file: Path | None = None, settings: Settings | None = None
    ) -> KioskContext:
        """Load and cross-check; raises ConfigError naming the key that does not fit."""
        settings = settings or load_settings(config_file)
        use_ward_dir(settings.kiosk.resources_dir)
        catalog = Catalog.load()
        _check_languages(settings)
        _check_counters(settings, catalog)
        texts = {code: Translations.load(code) for code in settings.kiosk.languages}
        return cls(settings, catalog, texts)

    @property
    def languages(self) -> list[str]:
        return list(self.texts)

    def texts_for(self, language: str) -> Translations:
        return self.texts.get(language) or self.texts[self.languages[0]]


def _check_languages(settings: Settings) -> None:
    known = available_languages()
    unknown = [code for code in settings.kiosk.languages if code not in known]
    if unknown:
        raise ConfigError(
            f"kiosk.languages: no translations for {unknown}; available: {known} "
            "(a language is a folder in resources/i18n/ or in kiosk.resources_dir's i18n/)"
        )
    if REFERENCE_LANGUAGE not in known:
        raise ConfigError(f"resources/i18n/{REFERENCE_LANGUAGE}/ is missing: it is the reference")


def _check_counters(settings: Settings, catalog: Catalog) -> None:
    missing = sorted(catalog.counters() - set(settings.counters))
    if missing:
        raise ConfigError(
            f"counters: the catalog sends visitors to {missing}, which are not configured; "
            f"add [counters.{missing[0]}] with its number"
        )
