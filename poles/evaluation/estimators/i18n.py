"""Plain-Python translation of the estimators' messages, from the app's own catalogue.

The estimators run without Django (analyst CLI, benchmarks, background workers), yet every message they
produce must exist in French and English. Messages are written in English and wrapped in `_()` so that
`makemessages` extracts them into `poles/evaluation/locale/<lang>/LC_MESSAGES/django.po`; this module reads
that same catalogue with polib, so the engine and the Django pages show the same words from one source.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SUPPORTED_LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


def _(message: str) -> str:
    """Mark a message for extraction; translation happens later, in the reader's language."""
    return message


def normalise_language(language: str | None) -> str:
    """Map 'fr-FR', 'FR', None... onto a supported language code, French by default like the site."""
    if not language:
        return DEFAULT_LANGUAGE
    code = language.replace("_", "-").split("-")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else "en"


@lru_cache(maxsize=4)
def _catalogue(language: str) -> dict[str, str]:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        return {}
    import polib

    return {
        entry.msgid: entry.msgstr
        for entry in polib.pofile(str(path))
        if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
    }


def translate(message: str, language: str | None, params: Mapping[str, Any] | None = None) -> str:
    """The message in `language`, with its named placeholders filled; English when no translation exists."""
    code = normalise_language(language)
    text = message if code == "en" else _catalogue(code).get(message, message)
    return text % dict(params) if params is not None else text


def format_number(value: float | None, language: str | None, digits: int = 3) -> str:
    """A number as a reader of `language` writes it (decimal comma and spaced thousands in French)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a" if normalise_language(language) == "en" else "n.d."
    text = f"{value:,.{digits}f}"
    if normalise_language(language) == "fr":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_count(value: int, language: str | None) -> str:
    """An integer count with the thousands separator of `language`."""
    return format_number(float(value), language, digits=0)
