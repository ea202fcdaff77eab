from django.apps import AppConfig


class GivingConfig(AppConfig):
    name = "commonweal.giving"
    label = "giving"

    def ready(self) -> None:
        from commonweal.giving.services import project_totals_fold
        from commonweal.ledger import hooks

        # Gifts that waited in tally shards reach their project rows within a sequencer tick.
        hooks.SEQUENCER_TICK.append(project_totals_fold)
