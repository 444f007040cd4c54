from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from poles.analytics import views as analytics_views
from poles.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("poles.api_urls")),
]
urlpatterns += i18n_patterns(
    path("", analytics_views.home, name="home"),
    path("accounts/", include("poles.accounts.urls")),
    path("clusters/", include("poles.clusters.urls")),
    path("organisations/", include("poles.organisations.urls")),
    path("catalogue/", include("poles.instruments.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
