"""Public impact pages, and the organization console's impact pages under /impact/console/<org>/
(organization-scoped: tests/impact/test_authorization_impact.py has an entry for each)."""

from django.urls import path

from commonweal.impact import views, views_console

urlpatterns = [
    path("impact/", views.impact_index, name="impact-index"),
    path("impact/projects/<str:public_id>/", views.impact_project, name="impact-project"),
    path("impact/indicators/<str:public_id>/chart.svg", views.indicator_chart, name="impact-indicator-chart"),
    path("impact/console/<str:org>/", views_console.console_index, name="impact-console"),
    path("impact/console/<str:org>/projects/<str:project>/", views_console.console_project, name="impact-console-project"),
    path("impact/console/<str:org>/projects/<str:project>/indicators/new/", views_console.indicator_new, name="impact-console-indicator-new"),
    path("impact/console/<str:org>/projects/<str:project>/sroi/", views_console.sroi_edit, name="impact-console-sroi"),
    path("impact/console/<str:org>/indicators/<str:indicator>/", views_console.indicator_detail, name="impact-console-indicator"),
    path("impact/console/<str:org>/indicators/<str:indicator>/targets/", views_console.targets_set, name="impact-console-targets"),
    path("impact/console/<str:org>/indicators/<str:indicator>/results/", views_console.result_new, name="impact-console-result"),
    path("impact/console/<str:org>/indicators/<str:indicator>/results/<str:result>/evidence/", views_console.result_evidence,
         name="impact-console-evidence"),
]
