from django.urls import path

from . import views

app_name = "selection"
URL_PREFIX = "selection/"
urlpatterns = [
    path("", views.index, name="index"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/run/", views.run, name="run"),
    path("calls/<int:pk>/decisions/", views.decisions, name="decisions"),
    path("calls/<int:pk>/decisions/compute/", views.compute, name="compute"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("items/<int:pk>/", views.item_adjust, name="item_adjust"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
]
