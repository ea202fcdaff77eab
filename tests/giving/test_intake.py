"""The ASGI entry point's hot path (giving.intake): intents and notifications arrive at once, are
served in batches by the same services as the API, and answer exactly as the API does; anything
unusual is answered by Django (the API), with the body the client sent."""

import asyncio
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from commonweal.asgi import application
from commonweal.giving.models import Donation, DonationIntent
from commonweal.ledger.models import OutboxEntry
from commonweal.projects.models import Project
from tests.factories import make_org, make_project, make_project_in, sandbox_notification

pytestmark = pytest.mark.django_db(transaction=True)  # the batcher threads have their own connections

INTENTS = "/api/v1/donation-intents"


async def _call(path: str, body: bytes, headers: dict, method: str = "POST", root_path: str = "") -> tuple[int, dict, bytes]:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": root_path + path, "raw_path": (root_path + path).encode(), "query_string": b"", "root_path": root_path,
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                    *((k.lower().encode(), v.encode()) for k, v in headers.items())],
        "client": ("127.0.0.1", 40000), "server": ("testserver", 80),
    }
    messages, delivered = [], False

    async def receive():
        nonlocal delivered
        if delivered:
            await asyncio.sleep(3600)
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        messages.append(message)

    await application(scope, receive, send)
    start = messages[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, b"".join(m.get("body", b"") for m in messages[1:])


def _gather(*calls):
    async def run():
        return await asyncio.gather(*calls)

    # In a thread of its own: the browser tests' sync Playwright may hold a running loop in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, run()).result()


def _intent_body(project, amount_fen: int) -> bytes:
    return json.dumps({"project": project.public_id, "amount_fen": amount_fen}).encode()


def test_a_burst_is_served_in_batches_and_answers_like_the_api(caplog):
    caplog.set_level(logging.INFO, logger="commonweal.ledger")
    projects = [make_project(make_org()) for _ in range(3)]
    answers = _gather(*(_call(INTENTS, _intent_body(projects[n % 3], 100 + n), {"Idempotency-Key": f"burst-{n}"})
                        for n in range(60)))
    assert [status for status, _, _ in answers] == [201] * 60
    status, headers, body = answers[0]
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    # The same fields, types and formats as the API's own answer.
    api = Client().post(INTENTS, _intent_body(projects[0], 100), content_type="application/json", HTTP_IDEMPOTENCY_KEY="via-api")
    ours, theirs = json.loads(body), api.json()
    assert api.status_code == 201 and ours.keys() == theirs.keys()
    assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}
    assert ours["notify_url"] == theirs["notify_url"] and ours["status"] == "pending"
    assert ours["pay_url"] == theirs["pay_url"].replace(theirs["public_id"], ours["public_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?(Z|\+00:00)", ours["created_at"])
    assert re.sub(r"\.\d+", "", ours["created_at"])[-1] == re.sub(r"\.\d+", "", theirs["created_at"])[-1]
    intents = {i.public_id: i for i in DonationIntent.objects.all()}
    assert len(intents) == 61

    # A retry with the same key answers 200 with the same intent.
    status, _, again = _gather(_call(INTENTS, _intent_body(projects[0], 100), {"Idempotency-Key": "burst-0"}))[0]
    assert status == 200 and json.loads(again)["public_id"] == ours["public_id"]

    # The notifications of all 60, at once, and one retry among them.
    notes = []
    for _, _, answer in answers:
        intent = intents[json.loads(answer)["public_id"]]
        headers, note = sandbox_notification(intent, payer=f"p-{intent.pk}")
        notes.append((f"/api/v1/payments/sandbox/{intent.recipient_org.public_id}/notify", note, headers))
    confirmed = _gather(*(_call(*note) for note in notes + notes[:1]))
    assert [(status, body) for status, _, body in confirmed] == [(200, b'{"status":"ok"}')] * 61
    assert Donation.objects.count() == 60
    assert OutboxEntry.objects.filter(entry_type="donation").count() == 60
    assert sum(p.raised_fen for p in Project.objects.filter(pk__in=[p.pk for p in projects])) == sum(100 + n for n in range(60))
    # Batching happened: some transaction carried several gifts.
    batches = [int(m) for m in re.findall(r"outbox_append_many count=(\d+)", caplog.text)]
    assert max(batches) > 1, batches


def test_refusals_are_answered_by_the_api_and_write_nothing():
    project, closed = make_project(make_org()), make_project_in("closed")
    (no_key, bad_json, closed_answer, unknown), = [_gather(
        _call(INTENTS, _intent_body(project, 100), {}),
        _call(INTENTS, b'{"project": 5}', {"Idempotency-Key": "k1"}),
        _call(INTENTS, _intent_body(closed, 100), {"Idempotency-Key": "k2"}),
        _call(INTENTS, b'{"project": "01m96y8frvdxtg4hwtj61rpc63", "amount_fen": 100}', {"Idempotency-Key": "k3"}),
    )]
    assert (no_key[0], json.loads(no_key[2])["error"]["code"]) == (400, "idempotency_key_required")
    assert bad_json[0] == 422
    assert (closed_answer[0], json.loads(closed_answer[2])["error"]["code"]) == (409, "project_not_fundraising")
    assert unknown[0] == 404
    # A key reused for another gift.
    first = _gather(_call(INTENTS, _intent_body(project, 100), {"Idempotency-Key": "same"}))[0]
    reused = _gather(_call(INTENTS, _intent_body(project, 999), {"Idempotency-Key": "same"}))[0]
    assert first[0] == 201 and (reused[0], json.loads(reused[2])["error"]["code"]) == (409, "idempotency_key_reused")
    # A forged notification: the provider's failure answer, nothing confirmed.
    intent = DonationIntent.objects.get()
    headers, note = sandbox_notification(intent, secret="forged-secret-0123456789")
    status, _, body = _gather(_call(f"/api/v1/payments/sandbox/{intent.recipient_org.public_id}/notify", note, headers))[0]
    assert status == 400 and json.loads(body)["error"]["code"] == "signature_invalid"
    assert Donation.objects.count() == 0 and DonationIntent.objects.count() == 1
    # Other requests are Django's.
    status, _, body = _gather(_call("/api/v1/openapi.json", b"", {}, method="GET"))[0]
    assert status == 200 and b'"openapi"' in body


@pytest.mark.parametrize("mounted", ["root_path", "FORCE_SCRIPT_NAME"])
def test_a_site_mounted_under_a_prefix_gets_urls_with_it_from_the_intake(mounted, settings):
    from django.core.signals import request_started

    project = make_project(make_org())
    root = "/cw" if mounted == "root_path" else ""
    if mounted == "FORCE_SCRIPT_NAME":
        settings.FORCE_SCRIPT_NAME = "/cw"  # a proxy strips the prefix before the request reaches us
    seen_by_django = []
    request_started.connect(seen_by_django.append, dispatch_uid="intake-prefix-test")
    try:
        status, _, body = _gather(_call(INTENTS, _intent_body(project, 100), {"Idempotency-Key": f"prefix-{mounted}"},
                                        root_path=root))[0]
    finally:
        request_started.disconnect(dispatch_uid="intake-prefix-test")
    assert status == 201 and not seen_by_django  # answered by the intake, not Django
    answer = json.loads(body)
    assert answer["notify_url"] == f"/cw/api/v1/payments/sandbox/{project.recipient_org.public_id}/notify"
    assert answer["pay_url"] == f"/cw/pay/sandbox/{answer['public_id']}/"
