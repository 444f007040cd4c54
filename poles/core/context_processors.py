"""Template context shared by every page: site identity, language switch, the user's roles."""

from django.conf import settings
from django.urls import translate_url
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


def poles(request):
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    languages = [
        {"code": code, "name": name, "url": translate_url(path, code), "current": current.startswith(code)}
        for code, name in settings.LANGUAGES
    ]
    roles = roles_of(getattr(request, "user", None))
    menu = [item for module in app_modules("menu") for item in module.items(request, roles)]
    return {
        "poles_menu": menu,
        "SITE_CONFIG": SiteConfig,
        "POLES_DEBUG": settings.DEBUG,
        "poles_languages": languages,
        "poles_roles": roles,
    }
