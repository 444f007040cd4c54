from django.urls import path

from . import views

app_name = "matchmaking"
URL_PREFIX = "partners/"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:pk>/", views.partner, name="partner"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("profile/<int:pk>/", views.profile_edit, name="profile_edit"),
    path("contact-requests/", views.contact_requests, name="contact_requests"),
    path("consortium/", views.builder, name="builder"),
    path("consortium/check/", views.consortium_check, name="consortium_check"),
    path("consortium/start/", views.start_proposal, name="start_proposal"),
    path("proposals/<int:pk>/", views.proposal_started, name="proposal_started"),
]
