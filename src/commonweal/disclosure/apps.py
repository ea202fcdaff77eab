from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "commonweal.disclosure"
    label = "disclosure"
