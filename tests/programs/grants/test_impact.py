"""Impact indicators of grant awards: on the application's status page once awarded, and in the
fund's impact section (through the award's commitment's fund)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from commonweal.programs.grants.models import Award
from commonweal.programs.grants.services import decision_record
from tests.programs.grants.factories import apply, make_world, upload_all_letters
from tests.programs.test_impact import staff_indicator

pytestmark = pytest.mark.django_db


def _award(world):
    application = apply(world.call)
    upload_all_letters(application)
    for outcome in ("advance", "advance", "award"):
        decision_record(actor=world.manager, application=application, outcome=outcome, reason="答辩优秀",
                        **({"first_due_on": dt.date(2026, 3, 1)} if outcome == "award" else {}))
    return Award.objects.get(application=application)


def test_award_page_shows_its_indicators_and_the_fund_counts_them(client):
    world = make_world()
    award = _award(world)
    papers = staff_indicator(award, name="发表论文", unit="篇", domain="basic_science",
                             targets={"2026": "4"}, results={"2026": "6"})
    pending = apply(world.call)  # no award: no indicators section
    url = reverse("grants-application", args=[award.application.public_id])

    client.force_login(award.application.applicant)
    html = client.get(url).content.decode()
    block = html.split(f'data-indicator="{papers.public_id}"', 1)[1].split("</article>", 1)[0]
    assert "发表论文" in block and "2026" in block and "6" in block and "4" in block and "badge-ok" in block
    client.force_login(world.manager)
    assert f'data-indicator="{papers.public_id}"' in client.get(url).content.decode()
    pending_html = client.get(reverse("grants-application", args=[pending.public_id])).content.decode()
    assert "data-indicator=" not in pending_html and 'id="indicators-title"' not in pending_html

    client.logout()
    html = client.get(reverse("programs-fund", args=[world.fund.public_id])).content.decode()
    row = re.search(r'<tr data-impact-domain="basic_science"([^>]*)>(.*?)</tr>', html, re.S)
    assert row and 'data-indicators="1"' in row.group(1) and 'data-on-track="1"' in row.group(1)
    assert 'data-unit="篇" data-total="6' in row.group(2)
    assert award.application.full_name not in html  # an individual grantee stays unnamed on the public page
