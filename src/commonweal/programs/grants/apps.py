from django.apps import AppConfig


def _fund_awards(fund):
    from commonweal.programs.grants.models import Award

    return Award.objects.filter(commitment__fund=fund)


class GrantsConfig(AppConfig):
    name = "commonweal.programs.grants"
    label = "grants"

    def ready(self):
        # A fund's impact covers the indicators of its grant awards; programs never imports grants.
        from django.urls import reverse

        from commonweal.programs.grants.models import Award
        from commonweal.programs.indicator_subjects import SubjectKind, subject_kind_register
        from commonweal.programs.selectors import fund_impact_subjects_register

        fund_impact_subjects_register(_fund_awards)
        subject_kind_register("award", SubjectKind(
            model=Award, domain=lambda award: award.application.call.program.domain,
            page=lambda award: reverse("grants-application", args=[award.application.public_id]), related=("application__call__program",),
        ))
