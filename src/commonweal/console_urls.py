"""The organization console, mounted at /console/ by ``commonweal.urls``. Every ``<org>`` URL is
organization-scoped: tests/test_authorization.py enumerates these patterns and fails on one it has
no entry for.

The console shows several apps' pages, so its URLconf lives here, beside ``commonweal/urls.py``,
above all the apps (an app never imports a higher one; docs/architecture.md, "Layers")."""

from django.urls import path

from commonweal.disclosure import views_console as disclosure_views
from commonweal.disclosure import views_spending as spending_views
from commonweal.giving import views_console as giving_views
from commonweal.giving import views_receipts
from commonweal.matching import views as matching_views
from commonweal.orgs import views
from commonweal.projects import views_console as project_views

urlpatterns = [
    path("", views.index, name="console"),
    path("register/", views.register, name="console-register"),
    path("invitations/<str:token>/", views.invitation, name="console-invitation"),
    path("<str:org>/", giving_views.dashboard, name="console-org"),
    path("<str:org>/profile/", views.profile, name="console-profile"),
    path("<str:org>/resubmit/", views.resubmit, name="console-resubmit"),
    path("<str:org>/members/", views.members, name="console-members"),
    path("<str:org>/members/remove/", views.member_remove_view, name="console-member-remove"),
    path("<str:org>/credentials/", giving_views.credentials, name="console-credentials"),
    path("<str:org>/projects/new/", project_views.project_new, name="console-project-new"),
    path("<str:org>/projects/<str:project>/", disclosure_views.project_detail, name="console-project"),
    path("<str:org>/projects/<str:project>/edit/", project_views.project_edit, name="console-project-edit"),
    path("<str:org>/projects/<str:project>/submit/", project_views.project_submit, name="console-project-submit"),
    path("<str:org>/projects/<str:project>/transition/", project_views.project_transition_view, name="console-project-transition"),
    path("<str:org>/projects/<str:project>/updates/", disclosure_views.project_update_publish, name="console-project-update"),
    path("<str:org>/donations/", giving_views.donations, name="console-donations"),
    path("<str:org>/donations/<str:donation>/refund/", giving_views.refund, name="console-refund"),
    path("<str:org>/receipts/", views_receipts.console_receipts, name="console-receipts"),
    path("<str:org>/receipts/<str:receipt>/", views_receipts.console_receipt_detail, name="console-receipt"),
    path("<str:org>/receipts/<str:receipt>/pdf/", views_receipts.console_receipt_pdf, name="console-receipt-pdf"),
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
    # Team pages (matching.views): approval when the project requires it.
    path("<str:org>/teams/", matching_views.console_teams, name="console-teams"),
    path("<str:org>/teams/<str:team>/decide/", matching_views.console_team_decide, name="console-team-decide"),
    path("<str:org>/projects/<str:project>/team-policy/", matching_views.console_team_policy, name="console-team-policy"),
]
