"""Campaign and team pages (public); the console's team approvals are in commonweal/console_urls.py."""

from django.urls import path

from commonweal.matching import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<slug:slug>/live/", views.campaign_live, name="campaign-live"),
    path("projects/<str:public_id>/expected-match/", views.expected_match_view, name="expected-match"),
    path("projects/<str:public_id>/teams/", views.project_teams, name="project-teams"),
    path("projects/<str:public_id>/teams/new/", views.team_new, name="team-new"),
    path("teams/<str:public_id>/", views.team_detail, name="team-detail"),
]
