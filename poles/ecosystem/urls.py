from django.urls import path

from . import views

app_name = "ecosystem"
URL_PREFIX = "ecosystem/"
urlpatterns = [
    path("", views.home, name="home"),
    path("actions/", views.ActionList.as_view(), name="actions"),
    path("actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("skills/", views.SkillList.as_view(), name="skills"),
    path("skills/add/", views.skill_add, name="skill_add"),
    path("events/", views.EventList.as_view(), name="events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/publish/", views.event_publish, name="event_publish"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    path("events/<int:pk>/meetings/request/", views.meeting_request, name="meeting_request"),
    path("events/<int:pk>/schedule/", views.event_schedule, name="event_schedule"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("meeting-requests/<int:pk>/answer/", views.meeting_answer, name="meeting_answer"),
    path("fund-raising/", views.FundRaisingList.as_view(), name="fundraisings"),
    path("fund-raising/new/", views.fundraising_add, name="fundraising_add"),
    path("fund-raising/<int:pk>/review/", views.fundraising_review, name="fundraising_review"),
    path("leverage/", views.leverage, name="leverage"),
]
