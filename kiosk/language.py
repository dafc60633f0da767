"""What the kiosk knows about a language beyond its texts, from CLDR (Babel).

Each ``resources/i18n/<code>/language.toml`` names the language's CLDR locale; plural
rules, dates, numbers and the names of languages come from CLDR through Babel, not
from hand-made tables. Only what CLDR does not have is written in the file: a name
CLDR spells differently from what residents read on signs (``Bahasa Indonesia``), or
a language CLDR does not know (やさしい日本語, which is Japanese with plain words).
Japanese-family languages write dates in the era (和暦), our own :mod:`kiosk.wareki`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

from kiosk.wareki import GREGORIAN_SINCE, wareki

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


class LanguageFileError(ValueError):
    """A ``language.toml`` names no CLDR locale, or one Babel does not know."""


@dataclass(frozen=True)
class Language:
    """A language the kiosk offers: its code (folder name), CLDR locale and names."""

    code: str
    locale: Locale
    own_name: str = ""
    names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_table(cls, code: str, table: Mapping[str, Any], where: str) -> Language:
        """Read the ``[language]`` table of ``language.toml``."""
        name = str(table.get("locale") or "")
        if not name:
            raise LanguageFileError(f'{where}: give the CLDR locale, e.g. locale = "vi"')
        try:
            locale = Locale.parse(name.replace("-", "_"))
        except (UnknownLocaleError, ValueError) as e:
            raise LanguageFileError(
                f'{where}: locale {name!r} is not a CLDR locale ({e}); use e.g. "pt_BR"'
            ) from None
        names = {str(k): str(v) for k, v in dict(table.get("names") or {}).items()}
        return cls(code, locale, str(table.get("name") or ""), names)

    @property
    def japanese(self) -> bool:
        """Japanese or やさしい日本語: era dates, the Japanese voice, phrase line breaks."""
        return self.locale.language == "ja"

    @property
    def name(self) -> str:
        """The language's name in itself, as offered on the welcome screen."""
        if self.own_name:
            return self.own_name
        own = self.locale.get_display_name(self.locale) or self.code
        return own[:1].upper() + own[1:]

    def name_in(self, language: Language | str) -> str:
        """The name as a reader of ``language`` knows it, e.g. ベトナム語 for Japanese staff."""
        code = language if isinstance(language, str) else language.code
        if code in self.names:
            return self.names[code]
        if code == self.code:
            return self.name
        other = language.locale if isinstance(language, Language) else _locale_or_none(code)
        shown = self.locale.get_display_name(other) if other else None
        return shown or self.name

    def plural_category(self, n: int | float) -> str:
        """CLDR's plural category of ``n`` in this language: ``one``, ``other``…"""
        return str(self.locale.plural_form(abs(n)))

    @property
    def plural_categories(self) -> frozenset[str]:
        """The categories a plural text in this language must give (always ``other``)."""
        return frozenset(self.locale.plural_form.tags) | {"other"}

    def number(self, n: int | float) -> str:
        """A count written with this language's separators (Latin digits, as on the signs)."""
        return str(format_decimal(n, locale=self.locale, numbering_system="latn"))

    def date(self, day: date) -> str:
        """A date as the language writes it: 昭和60年（1985年）4月1日, 1 tháng 4, 1985."""
        if self.japanese:
            if day < GREGORIAN_SINCE:
                return f"{day.year}年{day.month}月{day.day}日"
            return f"{wareki(day).year_text}（{day.year}年）{day.month}月{day.day}日"
        return str(format_date(day, format="long", locale=self.locale))


def _locale_or_none(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def is_plural_table(value: object) -> bool:
    """A text given in CLDR plural forms: a table with ``other`` and only category keys."""
    return (
        isinstance(value, Mapping)
        and "other" in value
        and all(key in PLURAL_CATEGORIES and isinstance(v, str) for key, v in value.items())
    )
