from django.urls import path

from . import reports, views

app_name = "clusters"
URL_PREFIX = "clusters/"
urlpatterns = [
    path("", views.ClusterList.as_view(), name="list"),
    path("<slug:slug>/", views.cluster_detail, name="detail"),
    path("<slug:slug>/members/add/", views.membership_add, name="membership_add"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("<slug:slug>/report/<int:year>/", reports.report_page, name="report"),
    path("<slug:slug>/report/<int:year>/pdf/", reports.report_pdf, name="report_pdf"),
    path("<slug:slug>/report/<int:year>/edit/", reports.report_edit, name="report_edit"),
    path("<slug:slug>/report/<int:year>/submit/", reports.report_submit, name="report_submit"),
    path("<slug:slug>/report/<int:year>/reopen/", reports.report_reopen, name="report_reopen"),
    path("<slug:slug>/ratings/add/", reports.rating_add, name="rating_add"),
]
