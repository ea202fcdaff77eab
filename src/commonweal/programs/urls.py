"""Public and staff pages of programs."""

from django.urls import path

from commonweal.programs import views, views_indicators

urlpatterns = [
    path("programs/", views.portfolio, name="programs-portfolio"),
    path("programs/funds/<str:public_id>/", views.fund_detail, name="programs-fund"),
    path("programs/funds/<str:public_id>/chart.svg", views.fund_chart_svg, name="programs-fund-chart"),
    path("programs/labs/", views.lab_list, name="programs-labs"),
    path("programs/labs/<str:public_id>/", views.lab_detail, name="programs-lab"),
    path("programs/lab-projects/<str:public_id>/", views.lab_project_detail, name="programs-lab-project"),
    path("programs/studios/<str:public_id>/", views.studio_detail, name="programs-studio"),
    path("programs/office/", views.office_home, name="programs-office"),
    path("programs/office/funds/new/", views.office_fund_new, name="programs-office-fund-new"),
    path("programs/office/funds/<str:public_id>/allocations/", views.office_allocations, name="programs-office-allocations"),
    path("programs/office/funds/<str:public_id>/commitments/new/", views.office_commitment_new, name="programs-office-commitment-new"),
    path("programs/office/labs/new/", views.office_lab_new, name="programs-office-lab-new"),
    path("programs/office/labs/<str:public_id>/projects/new/", views.office_lab_project_new, name="programs-office-lab-project-new"),
    path("programs/office/lab-projects/<str:public_id>/gate/", views.office_gate, name="programs-office-gate"),
    path("programs/office/gate-files/<str:public_id>/", views.office_gate_file, name="programs-office-gate-file"),
    # Impact indicators of labs, lab projects, studios and grant awards: views_indicators.py
    path("programs/office/indicators/new/<str:kind>/<str:public_id>/", views_indicators.office_indicator_new, name="programs-office-indicator-new"),
    path("programs/office/indicators/<str:public_id>/", views_indicators.office_indicator, name="programs-office-indicator"),
    path("programs/office/indicators/<str:public_id>/targets/", views_indicators.office_indicator_targets, name="programs-office-indicator-targets"),
    path("programs/office/indicators/<str:public_id>/results/", views_indicators.office_indicator_result, name="programs-office-indicator-result"),
    path("programs/office/indicators/<str:public_id>/results/<str:result>/evidence/", views_indicators.office_indicator_evidence,
         name="programs-office-indicator-evidence"),
]
