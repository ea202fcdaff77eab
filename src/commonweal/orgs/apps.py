from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "commonweal.orgs"
    label = "orgs"
