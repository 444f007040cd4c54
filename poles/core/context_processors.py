"""Template context shared by every page."""

from django.conf import settings


def poles(request):
    return {"POLES_DEBUG": settings.DEBUG}
