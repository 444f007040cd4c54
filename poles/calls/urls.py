from django.urls import path

from . import views

app_name = "calls"
URL_PREFIX = "calls/"
urlpatterns = [
    path("", views.CallList.as_view(), name="list"),
    path("manage/", views.call_manage, name="manage"),
    path("new/", views.call_create, name="create"),
    path("<slug:reference>/", views.call_detail, name="detail"),
    path("<slug:reference>/edit/", views.call_edit, name="edit"),
    path("<slug:reference>/configuration/", views.call_config, name="config"),
    path("<slug:reference>/rates/", views.call_rates, name="rates"),
    path("<slug:reference>/funders/", views.call_funders, name="funders"),
    path("<slug:reference>/funders/<slug:slug>/remove/", views.call_funder_remove, name="funder_remove"),
    path("<slug:reference>/actions/<str:name>/", views.call_transition, name="transition"),
    path("<slug:reference>/versions/<int:number>/", views.call_version, name="version"),
]
