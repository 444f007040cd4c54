"""Template context shared by every page: site identity, language switch, the user's roles."""

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .discovery import app_modules
from .roles import roles_of


class SiteConfig:
    """What django-dsfr's templates read as SITE_CONFIG, without a database query per page."""

    site_title = _("poles — competitiveness clusters")
    site_tagline = _("Run a cluster programme and show, with evidence, whether it works")
    header_brand_html = "République<br>française"
    footer_brand_html = "République<br>française"
    footer_description = _(
        "poles is open-source software (EUPL-1.2) for public competitiveness-cluster programmes."
    )
    beta_tag = False
    mourning = False
    notice_title = ""
    notice_description = ""


# Menu groups: the programme's registry, the life of projects, the ecosystem, the evidence.
GROUPS = [
    ("programme", _("The programme")),
    ("projects", _("Projects")),
    ("ecosystem", _("Ecosystem")),
    ("evidence", _("Results")),
]
APP_GROUP = {
    "calls": "projects", "projects": "projects", "reviews": "projects", "selection": "projects",
    "grants": "projects", "ecosystem": "ecosystem", "matchmaking": "ecosystem", "analytics": "evidence",
    "evaluation": "evidence", "opendata": "evidence",
}  # fmt: skip


def navigation(path: str, menu: list[dict]) -> list[dict]:
    """The main menu as groups of entries, the entry the page belongs to marked current: the
    longest address that starts the page's path (the home page only on itself), so nested sections
    don't light up their parents too. A group with one entry shows as a plain link."""
    items = [
        {"label": _("Programme"), "url": reverse("home"), "group": "programme"},
        {"label": _("Clusters"), "url": reverse("clusters:list"), "group": "programme"},
        {"label": _("Organisations"), "url": reverse("organisations:list"), "group": "programme"},
        {"label": _("Policy catalogue"), "url": reverse("instruments:list"), "group": "programme"},
        *[dict(item) for item in menu],
    ]
    home = items[0]["url"]
    matches = [i for i in items if (path == i["url"] if i["url"] == home else path.startswith(i["url"]))]
    current = max(matches, key=lambda i: len(i["url"]), default=None)
    groups = []
    for code, label in GROUPS:
        entries = [i for i in items if i.get("group", "programme") == code]
        for entry in entries:
            entry["current"] = entry is current
        if entries:
            groups.append(
                {
                    "code": code,
                    "label": label,
                    "items": entries,
                    "current": any(e["current"] for e in entries),
                }
            )
    return groups


def poles(request):
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    languages = [
        {"code": code, "name": name, "url": translate_url(path, code), "current": current.startswith(code)}
        for code, name in settings.LANGUAGES
    ]
    roles = roles_of(getattr(request, "user", None))
    menu = [
        {"group": APP_GROUP.get(module.__name__.split(".")[1], "projects"), **item}
        for module in app_modules("menu")
        for item in module.items(request, roles)
    ]
    return {
        "poles_nav": navigation(request.path, menu),
        "SITE_CONFIG": SiteConfig,
        "POLES_DEBUG": settings.DEBUG,
        "poles_languages": languages,
        "poles_roles": roles,
    }
