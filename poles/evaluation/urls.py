"""Impact evaluation pages (programme officers and analysts)."""

from django.urls import path

from . import views

app_name = "evaluation"
URL_PREFIX = "evaluation/"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_new, name="new"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/rerun/", views.run_rerun, name="rerun"),
    path("<int:pk>/repeat/", views.run_repeat, name="repeat"),
]
