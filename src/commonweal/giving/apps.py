from django.apps import AppConfig


class GivingConfig(AppConfig):
    name = "commonweal.giving"
    label = "giving"
