from django.urls import path

from . import views

app_name = "reviews"
URL_PREFIX = "reviews/"
urlpatterns = [
    path("", views.calls, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/assign/", views.auto_assign, name="auto_assign"),
    path("calls/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("proposals/<int:pk>/", views.project_detail, name="project"),
    path("proposals/<int:pk>/assign/", views.assign, name="assign"),
    path("proposals/<int:pk>/consensus/", views.consensus, name="consensus"),
    path("pool/", views.ReviewerList.as_view(), name="pool"),
    path("pool/add/", views.reviewer_add, name="reviewer_add"),
    path("pool/<int:pk>/", views.reviewer_edit, name="reviewer_edit"),
    path("mine/", views.mine, name="mine"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/declare/", views.declare, name="declare"),
]
