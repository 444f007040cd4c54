from django.urls import path

from . import views

app_name = "organisations"
URL_PREFIX = "organisations/"
urlpatterns = [
    path("", views.OrganisationList.as_view(), name="list"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/figures/", views.figures_add, name="figures"),
    path("<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
]
