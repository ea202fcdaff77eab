"""Disbursements over /api/v1: the same services as the console, for finance and admin members
of the project's organization only; everyone else gets the same 404 as for nothing at all."""

import json

import pytest
from django.test import Client

from commonweal.disclosure.models.spending import Disbursement, Evidence
from commonweal.ledger.models import OutboxEntry
from tests.disclosure.spending_support import jpeg_bytes, make_world, record, upload, walk

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_whole_flow_over_the_api():
    world = make_world()
    finance, admin = _as(world.finance), _as(world.admin2)
    response = _post(finance, f"{API}/projects/{world.project.public_id}/disbursements",
                     {"budget_line": 1, "kind": "purchase", "amount_fen": 88_800, "description": "书架 4 个"})
    assert response.status_code == 201, response.content
    body = response.json()
    public_id = body["public_id"]
    assert (body["status"], body["budget_line"], body["budget_item"], body["amount_fen"], body["evidence"]) == ("draft", 1, "书架", 88_800, [])
    response = finance.post(f"{API}/disbursements/{public_id}/evidence", {"file": upload(jpeg_bytes(exif=True))})
    assert response.status_code == 201, response.content
    for client, to in ((finance, "submitted"), (admin, "approved"), (finance, "paid")):
        response = _post(client, f"{API}/disbursements/{public_id}/transitions", {"to": to})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == to
    assert OutboxEntry.objects.filter(entry_type="disbursement", subject_id=public_id).count() == 1
    listed = admin.get(f"{API}/projects/{world.project.public_id}/disbursements").json()
    assert listed["count"] == 1 and listed["items"][0]["paid_at"] is not None
    assert len(listed["items"][0]["evidence"]) == 1


def test_errors_have_codes():
    world = make_world()
    finance, admin = _as(world.finance), _as(world.admin2)
    url = f"{API}/projects/{world.project.public_id}/disbursements"
    response = _post(admin, url, {"budget_line": 0, "kind": "purchase", "amount_fen": 100, "description": "x"})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "role_not_allowed")
    response = _post(finance, url, {"budget_line": 0, "kind": "purchase", "amount_fen": 0, "description": "x"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "amount_out_of_range")
    response = _post(finance, url, {"budget_line": 0, "kind": "purchase", "amount_fen": 1.5, "description": "x"})
    assert response.status_code == 422
    response = _post(finance, url, {"budget_line": 9, "kind": "purchase", "amount_fen": 100, "description": "x"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "unknown_budget_line")
    d = walk(world, record(world, 7_000_000), "submitted")
    response = _post(admin, f"{API}/disbursements/{d.public_id}/transitions", {"to": "approved"})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "overspend_budget_line" and "¥60,000.00" in error["message"] and "¥70,000.00" in error["message"]
    response = _post(admin, f"{API}/disbursements/{d.public_id}/transitions", {"to": "approved", "overspend_reason": "理事会决议"})
    assert response.status_code == 200 and response.json()["overspend_reason"] == "理事会决议"
    response = _post(admin, f"{API}/disbursements/{d.public_id}/transitions", {"to": "submitted"})
    assert (response.status_code, response.json()["error"]["code"]) == (409, "illegal_transition")


def test_signed_out_clients_get_401():
    world = make_world()
    d = record(world)
    client = Client()
    assert client.get(f"{API}/disbursements/{d.public_id}").status_code == 401
    assert client.get(f"{API}/projects/{world.project.public_id}/disbursements").status_code == 401


@pytest.mark.parametrize("who", ["outsider", "editor"])
def test_everyone_else_gets_404_and_changes_nothing(who):
    world = make_world()
    d = walk(world, record(world), "submitted")
    client = _as(getattr(world, who))
    before = (list(Disbursement.objects.values()), Evidence.objects.count(), OutboxEntry.objects.count())
    calls = [
        client.get(f"{API}/projects/{world.project.public_id}/disbursements"),
        _post(client, f"{API}/projects/{world.project.public_id}/disbursements",
              {"budget_line": 0, "kind": "purchase", "amount_fen": 100, "description": "x"}),
        client.get(f"{API}/disbursements/{d.public_id}"),
        client.post(f"{API}/disbursements/{d.public_id}/evidence", {"file": upload(jpeg_bytes())}),
        _post(client, f"{API}/disbursements/{d.public_id}/transitions", {"to": "approved"}),
        _post(client, f"{API}/disbursements/{d.public_id}/transitions", {"to": "rejected", "reason": "x"}),
    ]
    for response in calls:
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"
        assert world.project.title_zh not in response.content.decode()
    assert (list(Disbursement.objects.values()), Evidence.objects.count(), OutboxEntry.objects.count()) == before


def test_malformed_ids_are_404_before_any_query():
    world = make_world()
    client = _as(world.finance)
    for bad in ("x" * 500, "01m84d2qejt1p9hycfd3g541r%00", "NOTAULID"):
        assert client.get(f"{API}/disbursements/{bad}").status_code == 404
        assert client.get(f"{API}/projects/{bad}/disbursements").status_code == 404
        assert client.get(f"{API}/projects/{bad}/finances").status_code == 404


def test_real_answers_conform_to_the_openapi_document():
    """Generated requests rarely reach real disbursements: check real answers against the document."""
    import schemathesis
    from django.core import signals
    from django.db import close_old_connections
    from django.test import Client as _Client

    from commonweal.wsgi import application

    world = make_world()
    d = walk(world, record(world), "paid")
    session = _Client()
    session.force_login(world.admin2)
    # The WSGI handler would close the test's connection mid-transaction (as in tests/api).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", application)
        cases = [
            schema[f"{API}/projects/{{public_id}}/finances"]["GET"].Case(path_parameters={"public_id": world.project.public_id}),
            schema[f"{API}/projects/{{public_id}}/disbursements"]["GET"].Case(
                path_parameters={"public_id": world.project.public_id}, cookies={"sessionid": session.cookies["sessionid"].value}),
            schema[f"{API}/disbursements/{{public_id}}"]["GET"].Case(path_parameters={"public_id": d.public_id}, cookies={"sessionid": session.cookies["sessionid"].value}),
        ]
        assert [case.call_and_validate().status_code for case in cases] == [200, 200, 200]
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
