"""Public complaint and scorecard pages, mounted at the site root (``commonweal.urls``)."""

from django.urls import path

from commonweal.disclosure import views_complaints, views_scorecard

urlpatterns = [
    path("projects/<str:public_id>/report/", views_complaints.complaint_new, name="complaint-new"),
    path("complaints/<str:public_id>/received/", views_complaints.complaint_received, name="complaint-received"),
    path("complaints/<str:public_id>/evidence/", views_complaints.complaint_evidence, name="complaint-evidence"),
    path("orgs/<str:public_id>/scorecard/", views_scorecard.org_scorecard_page, name="org-scorecard"),
]
