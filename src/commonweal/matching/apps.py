from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "commonweal.matching"
    label = "matching"
