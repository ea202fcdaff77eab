from django.apps import AppConfig


def _fund_awards(fund):
    from commonweal.programs.grants.models import Award

    return Award.objects.filter(commitment__fund=fund)


class GrantsConfig(AppConfig):
    name = "commonweal.programs.grants"
    label = "grants"

    def ready(self):
        # A fund's impact covers the indicators of its grant awards; programs never imports grants.
        from commonweal.programs.selectors import fund_impact_subjects_register

        fund_impact_subjects_register(_fund_awards)
