"""The URL map: every app with a `urls` module (and its URL_PREFIX) is mounted under the language prefix."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from poles.analytics import views as analytics_views
from poles.core.discovery import app_modules
from poles.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("poles.api_urls")),
]
urlpatterns += i18n_patterns(
    path("", analytics_views.home, name="home"),
    *[
        path(module.URL_PREFIX, include(module.__name__))
        for module in app_modules("urls")
        if hasattr(module, "URL_PREFIX")
    ],
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
