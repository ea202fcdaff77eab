from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "commonweal.matching"
    label = "matching"

    def ready(self) -> None:
        # Lower layers call matching through their extension points; they never import it.
        from commonweal.disclosure.selectors.spending import MATCHED_SOURCES
        from commonweal.giving import hooks
        from commonweal.matching import selectors, services, views

        hooks.DONATION_CONFIRMED.append(services.match_on_confirm)
        hooks.REFUND_RECORDED.append(services.match_on_refund)
        hooks.ATTRIBUTION_CHECKS.append(services.check_team_attribution)
        hooks.DONATE_PANELS.append(views.expected_match_panel)
        hooks.PROJECT_PANELS.append(views.project_panel)
        MATCHED_SOURCES.append(selectors.matched_by_project)
