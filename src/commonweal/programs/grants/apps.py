from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "commonweal.programs.grants"
    label = "grants"
