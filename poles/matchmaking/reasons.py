"""French and English wording of the reasons the engine gives for each suggested partner.

The engine (`engine.py`) returns reasons as structured dicts ({"code": ..., ...}) so it stays
free of Django and the API can return them as data; this thin layer turns one into a sentence
in the user's language. Organisation ids and category codes are shown through the caller's
`names` and `category_labels` mappings (falling back to the raw value), because the engine only
knows identifiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

# The separator between listed items is itself translatable (French typography may differ).
LIST_SEPARATOR = _(", ")

MESSAGES = {
    "shares_keywords": _("Shares keywords with your need: %(terms)s"),
    "past_partner_of_year": ngettext_lazy(
        "Worked with %(org)s on %(projects)d past project (latest in %(year)s)",
        "Worked with %(org)s on %(projects)d past projects (latest in %(year)s)",
        "projects",
    ),
    "past_partner_of": ngettext_lazy(
        "Worked with %(org)s on %(projects)d past project",
        "Worked with %(org)s on %(projects)d past projects",
        "projects",
    ),
    "partner_of_partner": ngettext_lazy(
        "Has worked with %(count)d partner of %(org)s (%(via)s)",
        "Has worked with %(count)d partners of %(org)s (including %(via)s)",
        "count",
    ),
    "same_cluster": _("Member of the same cluster as %(org)s: %(clusters)s"),
    "fills_missing_category": _("Brings a kind of organisation your consortium lacks: %(category)s"),
    "covers_new_terms": _("Covers parts of the need nobody in the consortium covers yet: %(terms)s"),
    "experienced": ngettext_lazy(
        "Experienced: %(projects)d past collaborative project",
        "Experienced: %(projects)d past collaborative projects",
        "projects",
    ),
}


def _join(items: Any, lookup: Mapping[str, str] | None = None) -> str:
    lookup = lookup or {}
    return str(LIST_SEPARATOR).join(str(lookup.get(item, item)) for item in items)


def explain(
    reason: Mapping[str, Any],
    language: str | None = None,
    *,
    names: Mapping[str, str] | None = None,
    category_labels: Mapping[str, str] | None = None,
) -> str:
    """One reason as a sentence in `language` ("fr", "en"; None = the active language).

    Raises ValueError for an unknown reason code: a new code must get its wording here first.
    """
    names = names or {}
    code = reason.get("code")
    with translation.override(language or translation.get_language()):
        if code == "shares_keywords":
            return str(MESSAGES[code] % {"terms": _join(reason["terms"])})
        if code == "past_partner_of":
            params = {"org": names.get(reason["org"], reason["org"]), "projects": reason["projects"]}
            if reason.get("last_year"):
                return str(MESSAGES["past_partner_of_year"] % {**params, "year": reason["last_year"]})
            return str(MESSAGES[code] % params)
        if code == "partner_of_partner":
            return str(
                MESSAGES[code]
                % {
                    "count": reason["count"],
                    "org": names.get(reason["org"], reason["org"]),
                    "via": _join(reason["via"], names),
                }
            )
        if code == "same_cluster":
            return str(
                MESSAGES[code]
                % {
                    "org": names.get(reason["org"], reason["org"]),
                    "clusters": _join(reason["clusters"], names),
                }
            )
        if code == "fills_missing_category":
            labels = category_labels or {}
            return str(MESSAGES[code] % {"category": labels.get(reason["category"], reason["category"])})
        if code == "covers_new_terms":
            return str(MESSAGES[code] % {"terms": _join(reason["terms"])})
        if code == "experienced":
            return str(MESSAGES[code] % {"projects": reason["projects"]})
    raise ValueError(f"no wording for reason code {code!r}")
