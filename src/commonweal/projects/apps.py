from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "commonweal.projects"
    label = "projects"
