from django.urls import path

from . import views

app_name = "instruments"
URL_PREFIX = "catalogue/"
urlpatterns = [
    path("", views.InstrumentList.as_view(), name="list"),
    path("share/", views.instrument_share, name="share"),
    path("moderation/", views.moderation, name="moderation"),
    path("<int:pk>/", views.instrument_detail, name="detail"),
    path("<int:pk>/<slug:transition>/", views.moderate, name="moderate"),
]
