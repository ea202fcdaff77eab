"""The organization console, mounted at /console/. Every ``<org>`` URL is organization-scoped:
tests/test_authorization.py enumerates these patterns and fails on one it has no entry for."""

from django.urls import path

from commonweal.disclosure import views_spending as spending_views
from commonweal.giving import views_receipts
from commonweal.orgs import views

urlpatterns = [
    path("", views.index, name="console"),
    path("register/", views.register, name="console-register"),
    path("invitations/<str:token>/", views.invitation, name="console-invitation"),
    path("<str:org>/", views.dashboard, name="console-org"),
    path("<str:org>/profile/", views.profile, name="console-profile"),
    path("<str:org>/resubmit/", views.resubmit, name="console-resubmit"),
    path("<str:org>/members/", views.members, name="console-members"),
    path("<str:org>/members/remove/", views.member_remove_view, name="console-member-remove"),
    path("<str:org>/credentials/", views.credentials, name="console-credentials"),
    path("<str:org>/projects/new/", views.project_new, name="console-project-new"),
    path("<str:org>/projects/<str:project>/", views.project_detail, name="console-project"),
    path("<str:org>/projects/<str:project>/edit/", views.project_edit, name="console-project-edit"),
    path("<str:org>/projects/<str:project>/submit/", views.project_submit, name="console-project-submit"),
    path("<str:org>/projects/<str:project>/transition/", views.project_transition_view, name="console-project-transition"),
    path("<str:org>/projects/<str:project>/updates/", views.project_update_publish, name="console-project-update"),
    path("<str:org>/donations/", views.donations, name="console-donations"),
    path("<str:org>/donations/<str:donation>/refund/", views.refund, name="console-refund"),
    path("<str:org>/receipts/", views_receipts.console_receipts, name="console-receipts"),
    path("<str:org>/receipts/<str:receipt>/", views_receipts.console_receipt_detail, name="console-receipt"),
    path("<str:org>/receipts/<str:receipt>/issue/", views_receipts.console_receipt_issue, name="console-receipt-issue"),
    path("<str:org>/receipts/<str:receipt>/void/", views_receipts.console_receipt_void, name="console-receipt-void"),
    # Disbursements (disclosure.views_spending): four eyes, evidence, the ledger entry when paid.
    path("<str:org>/disbursements/", spending_views.disbursements, name="console-disbursements"),
    path("<str:org>/projects/<str:project>/disbursements/", spending_views.project_disbursements_view, name="console-project-disbursements"),
    path("<str:org>/projects/<str:project>/disbursements/new/", spending_views.disbursement_new, name="console-disbursement-new"),
    path("<str:org>/disbursements/<str:disbursement>/", spending_views.disbursement_detail, name="console-disbursement"),
    path("<str:org>/disbursements/<str:disbursement>/evidence/", spending_views.disbursement_evidence_upload, name="console-disbursement-evidence"),
    path("<str:org>/disbursements/<str:disbursement>/evidence/<str:evidence>/", spending_views.disbursement_evidence_file, name="console-disbursement-evidence-file"),
    path("<str:org>/disbursements/<str:disbursement>/transition/", spending_views.disbursement_transition_view, name="console-disbursement-transition"),
]
