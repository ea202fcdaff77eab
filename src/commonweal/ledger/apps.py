from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "commonweal.ledger"
    label = "ledger"
