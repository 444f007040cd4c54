from django.urls import path

from . import views

app_name = "grants"
URL_PREFIX = "follow-up/"
urlpatterns = [
    path("", views.FollowUpHome.as_view(), name="home"),
    path("agreements/", views.AgreementList.as_view(), name="agreements"),
    path("reports/", views.ReportList.as_view(), name="reports"),
    path("outputs/", views.OutputList.as_view(), name="outputs"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("projects/<int:pk>/milestones/add/", views.milestone_add, name="milestone_add"),
    path("projects/<int:pk>/outputs/add/", views.output_add, name="output_add"),
    path("projects/<int:pk>/consortium-agreement/", views.consortium_agreement, name="consortium_agreement"),
    path("projects/<int:pk>/ip/add/", views.ip_add, name="ip_add"),
    path("projects/<int:pk>/licences/add/", views.licence_add, name="licence_add"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<int:pk>/terminate/", views.agreement_terminate, name="agreement_terminate"),
    path("instalments/<int:pk>/pay/", views.instalment_pay, name="instalment_pay"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("reports/<int:pk>/send-back/", views.report_send_back, name="report_send_back"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path("outputs/<int:pk>/", views.output_detail, name="output_detail"),
    path("outputs/<int:pk>/edit/", views.output_edit, name="output_edit"),
    path("outputs/<int:pk>/review/", views.output_review, name="output_review"),
]
