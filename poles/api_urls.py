"""The REST API: every app registers its viewsets on one router."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from poles.accounts.tokens import ObtainTokenWithMFA
from poles.core.discovery import app_modules

router = DefaultRouter()
for module in app_modules("api"):
    if hasattr(module, "register"):  # poles.core.api holds the shared plumbing, no routes
        module.register(router)

urlpatterns = [
    path("token/", ObtainTokenWithMFA.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]
