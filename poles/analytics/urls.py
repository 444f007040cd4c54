"""Dashboards (programme, funder, cluster, region, call) and the collaboration network."""

from django.urls import path

from . import views

app_name = "analytics"
URL_PREFIX = "dashboards/"
urlpatterns = [
    path("", views.index, name="index"),
    path("programme/<slug:key>/", views.dashboard, {"kind": "programme"}, name="programme"),
    path("funders/<slug:key>/", views.dashboard, {"kind": "funder"}, name="funder"),
    path("clusters/<slug:key>/", views.dashboard, {"kind": "cluster"}, name="cluster"),
    path("regions/<str:key>/", views.dashboard, {"kind": "region"}, name="region"),
    path("calls/<slug:key>/", views.dashboard, {"kind": "call"}, name="call"),
    path("network/", views.network_overview, name="network"),
    path("network/clusters/<slug:slug>/", views.network_cluster, name="network_cluster"),
    path("network/organisations/<int:pk>/", views.network_organisation, name="network_organisation"),
]
