"""Open data pages: downloads (public) and imports (programme officers)."""

from django.urls import path

from . import views

app_name = "opendata"
URL_PREFIX = "open-data/"
urlpatterns = [
    path("", views.home, name="home"),
    path("download/<str:name>", views.download, name="download"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/apply/", views.import_apply, name="import_apply"),
]
