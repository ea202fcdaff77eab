"""Schemathesis over /api/v1/openapi.json, in-process through the WSGI app.

Every generated request (valid and invalid, from every phase) must get an answer that is not a
5xx and that conforms to the OpenAPI document: documented status, content type and body
schema. Runs per operation with a few public projects, a draft and donations in the database,
on SQLite and on PostgreSQL (where NUL bytes and huge integers in untrusted input would
otherwise surface as server errors).
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from commonweal.wsgi import application
from tests.api.conftest import API
from tests.factories import donate, make_org, make_project, make_user

SCHEMA_URL = f"{API}/openapi.json"


@pytest.fixture
def wsgi_app(db):
    """The real WSGI application, inside the test's transaction.

    Django's WSGI handler closes "old" database connections when a request starts and ends,
    which would close the test's connection mid-transaction; Django's own test client turns
    that off for the same reason, and so does this fixture."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Loaded when the module is collected: the OpenAPI view needs no database. (The lazy
# ``schemathesis.pytest.from_fixture`` loader does not work with pytest 9: it sets
# ``Function._nodeid``, which pytest 9 no longer has.)
schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application)


@pytest.fixture
def public_data(db):
    """Two public projects (one through a partner), a draft, and a few donations."""
    partner = make_org()
    reading = make_project(partner, sdg_tags=["4", "4.1"])
    water = make_project(make_org(qualified=False), partner_org=partner, domain="few", sdg_tags=["6"])
    make_project(partner, status="draft")
    donor = make_user()
    donate(reading, 1_000, donor=donor, donor_name="张三")
    donate(water, 2_000, donor_name="Mary-Jane O'Neil", donor_public=True)
    return {"projects": [reading, water], "org": partner, "donor": donor}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    # The database fixture is function-scoped on purpose (rolled back after each operation), and
    # generated bodies may be large or filtered heavily; neither is a problem here.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)
def test_api_conforms_and_never_fails(case, wsgi_app, public_data):
    case.call_and_validate()


def test_real_answers_conform_to_the_document(wsgi_app, public_data):
    """The generated requests rarely hit real ids, so check real answers explicitly too."""
    reading, water = public_data["projects"]
    org = public_data["org"]
    cases = [
        schema[f"{API}/projects"]["GET"].Case(query={"limit": 1}),
        schema[f"{API}/projects"]["GET"].Case(query={"sdg": 4, "org": org.public_id}),
        schema[f"{API}/projects/{{public_id}}"]["GET"].Case(path_parameters={"public_id": water.public_id}),
        schema[f"{API}/organizations"]["GET"].Case(),
        schema[f"{API}/organizations/{{public_id}}"]["GET"].Case(path_parameters={"public_id": org.public_id}),
        schema[f"{API}/donation-intents"]["POST"].Case(
            headers={"Idempotency-Key": "schemathesis-1"}, body={"project": reading.public_id, "amount_fen": 100},
            media_type="application/json",
        ),
    ]
    statuses = [case.call_and_validate().status_code for case in cases]
    assert statuses == [200, 200, 200, 200, 200, 201]
    # And a retried intent is a 200 with the same document shape.
    assert cases[-1].call_and_validate().status_code == 200
