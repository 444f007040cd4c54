from django.urls import path

from . import views

app_name = "projects"
URL_PREFIX = "projects/"
urlpatterns = [
    path("", views.ProposalList.as_view(), name="list"),
    path("mine/", views.MyProposals.as_view(), name="mine"),
    path("labelling/", views.LabellingQueue.as_view(), name="labelling"),
    path("labelling/<int:pk>/", views.label_answer, name="label"),
    path("calls/<slug:reference>/new/", views.proposal_create, name="create"),
    path("calls/<slug:reference>/settle-labelling/", views.settle_labelling, name="settle_labelling"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/consortium/", views.partners, name="partners"),
    path("<int:pk>/consortium/add/", views.partner_add, name="partner_add"),
    path("<int:pk>/consortium/<int:participation>/", views.participation_edit, name="participation"),
    path("<int:pk>/consortium/<int:participation>/remove/", views.partner_remove, name="partner_remove"),
    path("<int:pk>/documents/", views.attachments, name="attachments"),
    path("<int:pk>/documents/<int:attachment>/", views.attachment_download, name="attachment"),
    path("<int:pk>/documents/<int:attachment>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/request-revision/", views.request_revision, name="request_revision"),
    path("<int:pk>/revisions/", views.revision_list, name="revisions"),
    path("<int:pk>/eligibility/", views.eligibility, name="eligibility"),
    path("<int:pk>/eligibility/run/", views.eligibility_run, name="eligibility_run"),
    path(
        "<int:pk>/eligibility/<int:check>/override/<int:index>/",
        views.eligibility_override,
        name="eligibility_override",
    ),
    path("<int:pk>/declare/<str:verdict>/", views.declare, name="declare"),
]
