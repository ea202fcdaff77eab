from django.urls import path

from commonweal.projects import views

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="project-list"),
    path("orgs/<str:public_id>/", views.org_detail, name="org-detail"),
]
