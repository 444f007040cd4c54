"""Translatable messages with figures, rendered in the reader's language when they are read.

The engines decide things (a rule fails, a rate is missing, a reviewer is conflicted) long
before anyone reads the reason, and the same result is shown to a French officer and an English
reviewer. A `Message` therefore keeps the lazy English template and its named figures, and
formats both only when it is turned into text, in the active language, with that language's
number format (``48,5 %`` in French, ``48.5%`` in English).

This module is the engines' only contact with Django: ``django.utils.translation`` and
``django.utils.formats`` need configured settings only when a message is rendered, never at
import time, so the engines stay plain Python over plain data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.functional import Promise


@dataclass(frozen=True)
class Percent:
    """A share in 0..1 shown as a percentage with one decimal, in the reader's number format."""

    value: Decimal

    def __str__(self) -> str:
        pct = (Decimal(self.value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return formats.number_format(pct, decimal_pos=1, use_l10n=True)


@dataclass(frozen=True)
class Euros:
    """An amount in euros shown with thousands grouping and no cents unless it has some."""

    value: Decimal | int

    def __str__(self) -> str:
        value = Decimal(self.value)
        places = 0 if value == value.to_integral_value() else 2
        return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class Number:
    """A plain decimal figure (a score, a weight) shown with the reader's decimal separator."""

    value: Decimal | int | float
    places: int = 2

    def __str__(self) -> str:
        return formats.number_format(Decimal(str(self.value)), decimal_pos=self.places, use_l10n=True)


def _plain(value: Any) -> Any:
    """A JSON-able form of a figure, so results can be stored in a JSON field."""
    if isinstance(value, Percent | Euros | Number):
        return _plain(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return value


@dataclass(frozen=True)
class Message:
    """A lazy, translatable sentence and its named figures (``%(name)s`` placeholders).

    ``str(message)`` renders it in the active language; ``render("fr")`` in a given one;
    ``as_dict()`` gives the English template, the figures and both renderings for storage.
    """

    template: Promise | str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        params = {
            key: str(value) if isinstance(value, Promise) else value for key, value in self.params.items()
        }
        # Always apply the mapping, so a literal "%%" becomes "%" even without figures.
        return str(self.template) % params

    def render(self, language: str) -> str:
        """The message in `language` ("fr" or "en"), whatever language is active."""
        with translation.override(language):
            return str(self)

    @property
    def msgid(self) -> str:
        """The untranslated English template, as it appears in the .po catalogues."""
        with translation.override(None):
            return str(self.template)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot (template, figures, French and English text) for storage."""
        return {
            "msgid": self.msgid,
            "params": _plain(self.params),
            "fr": self.render("fr"),
            "en": self.render("en"),
        }


def plain(value: Any) -> Any:
    """Public access to the JSON conversion used for figures (Decimal -> str, sets -> sorted lists)."""
    return _plain(value)
