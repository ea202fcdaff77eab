"""Public finance pages: a project's figures as CSV and SVG, an organization's annual report.
The console's disbursement pages are mounted in ``commonweal/console_urls.py`` (organization-scoped)."""

from django.urls import path

from commonweal.disclosure import views_spending as views

urlpatterns = [
    path("projects/<str:public_id>/finances.csv", views.project_finances_csv, name="project-finances-csv"),
    path("projects/<str:public_id>/finances.svg", views.project_finances_svg, name="project-finances-svg"),
    path("orgs/<str:public_id>/annual/", views.org_annual_report_view, name="org-annual-report-current"),
    path("orgs/<str:public_id>/annual/<int:year>/", views.org_annual_report_view, name="org-annual-report"),
]
