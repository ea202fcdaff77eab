from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "commonweal.programs"
    label = "programs"
