from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "commonweal.impact"
    label = "impact"
