from django.urls import path

from . import views

app_name = "clusters"
URL_PREFIX = "clusters/"
urlpatterns = [
    path("", views.ClusterList.as_view(), name="list"),
    path("<slug:slug>/", views.cluster_detail, name="detail"),
    path("<slug:slug>/members/add/", views.membership_add, name="membership_add"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
]
