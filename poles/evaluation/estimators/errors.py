"""Errors and notices that name the problem, in the analyst's language.

An evaluation fails for reasons an analyst can fix (a missing column, duplicated firm-years, a treatment
year before the panel starts...). Each such reason is a `PanelError` with a stable `code` (for programs and
tests) and an English message template with named placeholders (translated on display), so that the CLI,
the pages and the API can all say exactly what is wrong without showing a traceback. Non-fatal facts the
analyst must know (rows dropped, units recoded) are `Notice`s built the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .i18n import translate


class EvaluationError(ValueError):
    """A problem with the data or the request that the analyst can fix; carries a code and a message."""

    def __init__(self, code: str, template: str, **params: Any) -> None:
        self.code = code
        self.template = template
        self.params = params
        super().__init__(self.message("en"))

    def message(self, language: str | None = "en") -> str:
        """The full message in `language` ('fr' or 'en')."""
        return translate(self.template, language, _render(self.params, language))

    def to_dict(self, language: str | None = "en") -> dict[str, Any]:
        """JSON-safe form for APIs and stored failed runs."""
        return {"code": self.code, "message": self.message(language), "params": _json_params(self.params)}


class PanelError(EvaluationError):
    """The panel itself is unusable as given (columns, types, duplicates, timing, group sizes)."""


@dataclass(frozen=True)
class Notice:
    """A non-fatal fact about the run (rows dropped, cohorts recoded, library warnings) worth reporting."""

    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str | None = "en") -> str:
        """The notice in `language`; a nested error or notice among the params is rendered in it too."""
        return translate(self.template, language, _render(self.params, language))

    def to_dict(self, language: str | None = "en") -> dict[str, Any]:
        """JSON-safe form, with the English message so a stored run stays readable without the code."""
        return {"code": self.code, "message": self.message(language), "params": _json_params(self.params)}


def _render(params: dict[str, Any], language: str | None) -> dict[str, Any]:
    return {
        key: value.message(language) if hasattr(value, "message") else value for key, value in params.items()
    }


def _json_params(params: dict[str, Any]) -> dict[str, Any]:
    rendered = _render(params, "en")
    return {
        key: (value if isinstance(value, int | float | str | bool) or value is None else str(value))
        for key, value in rendered.items()
    }
