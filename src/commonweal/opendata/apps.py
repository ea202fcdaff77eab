from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "commonweal.opendata"
    label = "opendata"
