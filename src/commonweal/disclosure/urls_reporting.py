from django.urls import path

from commonweal.disclosure import views_reporting as views

urlpatterns = [
    path("projects/<str:public_id>/follow/", views.project_follow, name="project-follow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
