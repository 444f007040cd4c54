"""The REST API: every app registers its viewsets on one router."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from poles.core.tokens import ObtainToken

API_APPS = ["territories", "organisations", "instruments", "clusters"]

router = DefaultRouter()
for app in API_APPS:
    import_module(f"poles.{app}.api").register(router)

urlpatterns = [
    path("token/", ObtainToken.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]
