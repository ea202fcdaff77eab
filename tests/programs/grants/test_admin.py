"""Back office: operators look at the prize and grant programs, read-only; referees' tokens stay hidden."""

import pytest
from django.urls import reverse

from commonweal.programs.grants.models import Application, Referee
from tests.programs.grants.factories import apply, make_world

pytestmark = pytest.mark.django_db


def test_operators_see_programs_calls_and_applications_read_only(operator_client):
    world = make_world()
    application = apply(world.call)
    for model, shown in (("program", world.call.program.name_zh), ("call", world.call.title_zh), ("application", application.full_name)):
        page = operator_client.get(reverse(f"admin:grants_{model}_changelist")).content.decode()
        assert shown in page, model
    detail = operator_client.get(reverse("admin:grants_application_change", args=[application.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    referee = application.referees.first()
    assert referee.email in page and referee.token_hash not in page and 'name="_save"' not in page
    assert operator_client.post(reverse("admin:grants_application_change", args=[application.pk]), {"full_name": "改名"}).status_code == 403
    assert Application.objects.get(pk=application.pk).full_name == application.full_name
    assert Referee.objects.filter(application=application).count() == world.call.referees_self


def test_other_signed_in_users_are_kept_out(client):
    from tests.factories import make_user

    client.force_login(make_user())
    response = client.get(reverse("admin:grants_application_changelist"))
    assert response.status_code in (302, 403)
