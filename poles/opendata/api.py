"""Open data in the API: the list of public exports and each file, for everyone (rate-limited)."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from rest_framework import permissions, viewsets
from rest_framework.response import Response

from .views import DOWNLOADS, export_bytes


class OpenDataViewSet(viewsets.ViewSet):
    """`GET /api/opendata/`: the exports; `GET /api/opendata/<file>/`: one file, built now."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "name"
    lookup_value_regex = r"[a-z0-9.\-]+"

    def list(self, request):
        return Response(
            [
                {
                    "name": name, "format": label, "media_type": media_type,
                    "url": request.build_absolute_uri(reverse("opendata-detail", args=[name])),
                }
                for name, (media_type, label) in DOWNLOADS.items()
            ]
        )  # fmt: skip

    def retrieve(self, request, name=None):
        if name not in DOWNLOADS:
            raise Http404
        response = HttpResponse(export_bytes(name), content_type=DOWNLOADS[name][0])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def register(router) -> None:
    router.register("opendata", OpenDataViewSet, basename="opendata")
