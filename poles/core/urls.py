from django.urls import path

from . import history

app_name = "core"
URL_PREFIX = "history/"
urlpatterns = [
    path("<str:object_type>/<str:object_id>/", history.object_history, name="history"),
]
