"""POST /donation-intents, POST /payments/{provider}/{org}/notify and GET /me/donations."""

import json

import pytest
from django.test import Client

from commonweal.core.money import MAX_AMOUNT_FEN
from commonweal.giving.models import Donation, DonationIntent
from commonweal.giving.services import credentials_set
from commonweal.ledger.models import OutboxEntry
from commonweal.projects.services import project_transition
from tests.api.conftest import API, error_of, post_intent, post_notification
from tests.api.payments import alipay_notification, make_merchant_keys, wechatpay_notification
from tests.factories import donate, make_org, make_project, make_user, sandbox_notification

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def merchant_keys():
    return make_merchant_keys()


def _counts() -> tuple[int, int, int]:
    return DonationIntent.objects.count(), Donation.objects.count(), OutboxEntry.objects.count()


# --- donation intents -----------------------------------------------------------------------


def test_create_intent(client):
    project = make_project()
    response = post_intent(client, {"project": project.public_id, "amount_fen": 5_000, "donor_name": "张三",
                                    "message": "加油"}, key="key-1")
    assert response.status_code == 201, response.content
    body = response.json()
    intent = DonationIntent.objects.get()
    assert body == {
        "public_id": intent.public_id, "project": project.public_id, "recipient_org": project.org.public_id,
        "amount_fen": 5_000, "currency": "CNY", "provider": "sandbox", "status": "pending", "donor_public": False,
        "created_at": body["created_at"], "pay_url": f"/pay/sandbox/{intent.public_id}/",
        "notify_url": f"{API}/payments/sandbox/{project.org.public_id}/notify",
    }
    assert (intent.idempotency_key, intent.donor_name, intent.message, intent.donor) == ("key-1", "张三", "加油", None)


def test_intent_for_partner_project_pays_the_partner(client):
    partner = make_org()
    project = make_project(make_org(qualified=False), partner_org=partner)
    body = post_intent(client, {"project": project.public_id, "amount_fen": 100}).json()
    assert body["recipient_org"] == partner.public_id
    assert body["notify_url"] == f"{API}/payments/sandbox/{partner.public_id}/notify"


def test_same_key_twice_returns_the_same_intent(client):
    project = make_project()
    request = {"project": project.public_id, "amount_fen": 5_000}
    first = post_intent(client, request, key="retry-me")
    again = post_intent(client, request, key="retry-me")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert DonationIntent.objects.count() == 1


@pytest.mark.parametrize("change, named", [
    ({"amount_fen": 5_001}, "amount_fen"), ({"project": "other"}, "project"), ({"donor_name": "李四"}, "donor_name"),
    ({"message": "另一句话"}, "message"), ({"donor_public": False}, "donor_public"), ({"provider": "alipay"}, "provider"),
])
def test_same_key_for_a_different_donation_is_409(client, change, named):
    project, other = make_project(), make_project()
    request = {"project": project.public_id, "amount_fen": 5_000, "donor_name": "张三", "message": "加油", "donor_public": True}
    assert post_intent(client, request, key="reused").status_code == 201
    changed = {**request, **change}
    if changed["project"] == "other":
        changed["project"] = other.public_id
    error = error_of(post_intent(client, changed, key="reused"), 409)
    assert error["code"] == "idempotency_key_reused"
    assert f"its {named} differed" in error["message"]
    assert DonationIntent.objects.count() == 1
    assert post_intent(client, request, key="reused").status_code == 200  # the first request itself is still a retry


@pytest.mark.parametrize("key", [None, "", "   "])
def test_missing_idempotency_key_is_400(client, key):
    project = make_project()
    response = post_intent(client, {"project": project.public_id, "amount_fen": 100}, key=key)
    error = error_of(response, 400)
    assert error["code"] == "idempotency_key_required"
    assert "Idempotency-Key" in error["message"]
    assert DonationIntent.objects.count() == 0


@pytest.mark.parametrize("key", ["x" * 65, "has space", "ключ"])
def test_malformed_idempotency_key_is_400(client, key):
    project = make_project()
    response = post_intent(client, {"project": project.public_id, "amount_fen": 100}, key=key)
    assert error_of(response, 400)["code"] == "idempotency_key_invalid"


@pytest.mark.parametrize(
    "amount, status, code, message",
    [
        (0, 400, "amount_out_of_range", f"amount must be between 1 and {MAX_AMOUNT_FEN:,} fen, got 0"),
        (-100, 400, "amount_out_of_range", f"amount must be between 1 and {MAX_AMOUNT_FEN:,} fen, got -100"),
        (MAX_AMOUNT_FEN + 1, 400, "amount_out_of_range",
         f"amount must be between 1 and {MAX_AMOUNT_FEN:,} fen, got {MAX_AMOUNT_FEN + 1}"),
        (10**30, 400, "amount_out_of_range", f"amount must be between 1 and {MAX_AMOUNT_FEN:,} fen, got {10**30}"),
        (12.5, 422, "invalid_request", "amount_fen: Input should be a valid integer"),
        (100.5, 422, "invalid_request", "amount_fen: Input should be a valid integer"),
        ("100", 422, "invalid_request", "amount_fen: Input should be a valid integer"),
        (True, 422, "invalid_request", "amount_fen: Input should be a valid integer"),
        (None, 422, "invalid_request", "amount_fen: Input should be a valid integer"),
    ],
)
def test_amount_validation(client, amount, status, code, message):
    project = make_project()
    error = error_of(post_intent(client, {"project": project.public_id, "amount_fen": amount}), status)
    assert (error["code"], error["message"]) == (code, message)
    assert DonationIntent.objects.count() == 0


@pytest.mark.parametrize("text", ["100.0", "1e2", "1.00E+2"])
def test_whole_numbers_written_with_a_fraction_or_exponent_are_integers(client, text):
    """JSON Schema's "integer" includes 100.0; parsed exactly, it is the integer 100."""
    project = make_project()
    body = f'{{"project": "{project.public_id}", "amount_fen": {text}}}'
    response = client.post(f"{API}/donation-intents", body, content_type="application/json",
                           headers={"Idempotency-Key": f"whole-{text}"})
    assert response.status_code == 201, response.content
    assert DonationIntent.objects.get().amount_fen == 100


@pytest.mark.parametrize("text", ["100.000000000000001", "1e-2", "1e400", "NaN", "Infinity", "-Infinity"])
def test_amounts_that_are_not_exact_integers_are_refused(client, text):
    project = make_project()
    body = f'{{"project": "{project.public_id}", "amount_fen": {text}}}'
    response = client.post(f"{API}/donation-intents", body, content_type="application/json",
                           headers={"Idempotency-Key": "not-whole"})
    assert response.status_code in (400, 422)
    assert error_of(response, response.status_code)["code"] in ("invalid_request", "malformed_body")
    assert DonationIntent.objects.count() == 0


def test_largest_amount_is_accepted(client):
    project = make_project()
    assert post_intent(client, {"project": project.public_id, "amount_fen": MAX_AMOUNT_FEN}).status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount_fen": 100}, "project"),
        ({"project": "PROJECT", "amount_fen": 100}, "project"),
        ({"project": "@", "amount_fen": 100}, "project"),
        ({"amount_fen": 100, "project": "x", "donor_name": "a" * 65}, "donor_name"),
        ({"amount_fen": 100, "project": "x", "message": "a\x00b"}, "message"),
        ({"amount_fen": 100, "project": "x", "provider": "paypal"}, "provider"),
        ({"amount_fen": 100, "project": "x", "donor_public": "yes"}, "donor_public"),
    ],
)
def test_invalid_body_is_422_naming_the_field(client, body, field):
    project = make_project()
    if body.get("project") == "x":
        body["project"] = project.public_id
    error = error_of(post_intent(client, body), 422)
    assert error["code"] == "invalid_request" and error["message"].startswith(f"{field}:"), error


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2]", b'"text"'])
def test_malformed_json_bodies_use_the_error_shape(client, body):
    response = client.post(f"{API}/donation-intents", body, content_type="application/json",
                           headers={"Idempotency-Key": "k"})
    assert response.status_code in (400, 422)
    assert error_of(response, response.status_code)["code"] in ("malformed_body", "invalid_request")


def test_malformed_json_is_400_malformed_body(client):
    response = client.post(f"{API}/donation-intents", b"{not json", content_type="application/json",
                           headers={"Idempotency-Key": "k"})
    assert error_of(response, 400)["code"] == "malformed_body"


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_intent_for_unpublished_project_is_404(client, status):
    project = make_project(status=status)
    assert error_of(post_intent(client, {"project": project.public_id, "amount_fen": 100}), 404)["code"] == "not_found"


def test_intent_for_unknown_project_is_404(client):
    response = post_intent(client, {"project": "01jzzzzzzzzzzzzzzzzzzzzzzz", "amount_fen": 100})
    assert error_of(response, 404)["code"] == "not_found"


def test_intent_for_project_no_longer_raising_is_409(client):
    project = make_project()
    project_transition(project=project, to="executing", actor=project.org.memberships.get().user)
    error = error_of(post_intent(client, {"project": project.public_id, "amount_fen": 100}), 409)
    assert error["code"] == "project_not_fundraising"


def test_signed_in_donor_is_recorded_and_csrf_is_required(client):
    project = make_project()
    donor = make_user()
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(donor)
    request = {"project": project.public_id, "amount_fen": 300}
    error = error_of(post_intent(csrf_client, request, key="with-session"), 403)
    assert error["code"] == "csrf_failed"
    assert DonationIntent.objects.count() == 0

    csrf_client.get("/api/v1/openapi.json")  # any page; the token comes from the cookie below
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    csrf_client.cookies["csrftoken"] = secret
    response = post_intent(csrf_client, request, key="with-session", HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret))
    assert response.status_code == 201, response.content
    assert DonationIntent.objects.get().donor == donor


def test_anonymous_client_needs_no_csrf(client):
    project = make_project()
    anonymous = Client(enforce_csrf_checks=True)
    response = post_intent(anonymous, {"project": project.public_id, "amount_fen": 300})
    assert response.status_code == 201, response.content
    assert DonationIntent.objects.get().donor is None


def test_other_providers_have_no_pay_url(client):
    project = make_project()
    body = post_intent(client, {"project": project.public_id, "amount_fen": 300, "provider": "alipay"}).json()
    assert (body["provider"], body["pay_url"]) == ("alipay", None)
    assert body["notify_url"] == f"{API}/payments/alipay/{project.org.public_id}/notify"


# --- payment notifications ------------------------------------------------------------------


def _intent(client, project, amount_fen=800, provider="sandbox"):
    response = post_intent(client, {"project": project.public_id, "amount_fen": amount_fen, "provider": provider})
    assert response.status_code == 201, response.content
    return DonationIntent.objects.select_related("recipient_org").get(public_id=response.json()["public_id"])


def test_sandbox_notification_confirms_a_donation(client):
    project = make_project()
    intent = _intent(client, project, 800)
    headers, body = sandbox_notification(intent)
    response = post_notification(client, "sandbox", project.org.public_id, headers, body)
    assert (response.status_code, response.content) == (200, b'{"status":"ok"}')
    donation = Donation.objects.get()
    assert (donation.intent, donation.amount_fen, donation.provider) == (intent, 800, "sandbox")
    assert _counts() == (1, 1, 1)
    intent.refresh_from_db()
    assert intent.status == "paid"


def test_same_notification_ten_times_makes_one_donation(client):
    project = make_project()
    intent = _intent(client, project, 500)
    headers, body = sandbox_notification(intent)
    for _ in range(10):
        response = post_notification(client, "sandbox", project.org.public_id, headers, body)
        assert (response.status_code, response.content) == (200, b'{"status":"ok"}')
    assert _counts() == (1, 1, 1)
    project.refresh_from_db()
    assert (project.raised_fen, project.donation_count) == (500, 1)


@pytest.mark.parametrize(
    "tamper, code",
    [
        ("forged", "signature_invalid"),
        ("amount", "amount_mismatch"),
        ("stale", "timestamp_stale"),
        ("unknown_org", "unknown_merchant"),
        ("malformed_org", "unknown_merchant"),
        ("no_headers", "signature_invalid"),
    ],
)
def test_rejected_sandbox_notification_writes_nothing(client, tamper, code):
    import datetime as dt

    from django.utils import timezone

    project = make_project()
    intent = _intent(client, project, 800)
    org_id = project.org.public_id
    headers, body = sandbox_notification(intent)
    if tamper == "forged":
        headers, body = sandbox_notification(intent, secret="not-the-organizations-secret")
    elif tamper == "amount":
        headers, body = sandbox_notification(intent, amount_fen=1)
    elif tamper == "stale":
        headers, body = sandbox_notification(intent, now=timezone.now() - dt.timedelta(minutes=30))
    elif tamper == "unknown_org":
        org_id = "01jzzzzzzzzzzzzzzzzzzzzzzz"
    elif tamper == "malformed_org":
        org_id = "NOT-AN-ID"
    else:
        headers = {}
    response = post_notification(client, "sandbox", org_id, headers, body)
    assert response.status_code == 400
    assert response.json() == {"error": {"code": code, "message": response.json()["error"]["message"]}}
    assert _counts() == (1, 0, 0)
    intent.refresh_from_db()
    assert intent.status == "pending"


def test_unknown_provider_is_404_error_json(client):
    org = make_org()
    error = error_of(post_notification(client, "paypal", org.public_id, {}, b"{}"), 404)
    assert error["code"] == "not_found" and "paypal" in error["message"]


def test_notification_endpoint_needs_no_csrf_and_only_post(client):
    project = make_project()
    intent = _intent(client, project, 800)
    headers, body = sandbox_notification(intent)
    strict = Client(enforce_csrf_checks=True)
    assert post_notification(strict, "sandbox", project.org.public_id, headers, body).status_code == 200
    response = client.get(f"{API}/payments/sandbox/{project.org.public_id}/notify")
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"


def test_wechatpay_notification_confirms_a_donation(client, merchant_keys):
    project = make_project()
    admin = project.org.memberships.get(role="admin").user
    credentials_set(org=project.org, actor=admin, provider="wechatpay", credentials=merchant_keys.wechatpay_credentials())
    intent = _intent(client, project, 12_345, provider="wechatpay")
    headers, body = wechatpay_notification(merchant_keys, out_trade_no=intent.public_id, amount_fen=12_345,
                                           transaction_id="4200002512202503011234567890")
    for _ in range(3):
        response = post_notification(client, "wechatpay", project.org.public_id, headers, body)
        assert response.status_code == 200, response.content
        assert json.loads(response.content) == {"code": "SUCCESS", "message": "成功"}
    donation = Donation.objects.get()
    assert (donation.provider, donation.provider_txn_id, donation.amount_fen) == (
        "wechatpay", "4200002512202503011234567890", 12_345)


def test_wechatpay_forged_notification_gets_wechat_failure(client, merchant_keys):
    project = make_project()
    admin = project.org.memberships.get(role="admin").user
    credentials_set(org=project.org, actor=admin, provider="wechatpay", credentials=merchant_keys.wechatpay_credentials())
    intent = _intent(client, project, 12_345, provider="wechatpay")
    other_keys = make_merchant_keys()
    headers, body = wechatpay_notification(other_keys, out_trade_no=intent.public_id, amount_fen=12_345,
                                           transaction_id="4200000000000000000000000001")
    headers["Wechatpay-Serial"] = f"{merchant_keys.serial:X}"  # claims the configured certificate
    response = post_notification(client, "wechatpay", project.org.public_id, headers, body)
    assert response.status_code == 400
    assert json.loads(response.content) == {"code": "FAIL", "message": "signature_invalid"}
    assert Donation.objects.count() == 0


def test_alipay_notification_confirms_a_donation(client, merchant_keys):
    project = make_project()
    admin = project.org.memberships.get(role="admin").user
    credentials_set(org=project.org, actor=admin, provider="alipay", credentials=merchant_keys.alipay_credentials())
    intent = _intent(client, project, 12_345, provider="alipay")
    headers, body = alipay_notification(merchant_keys, out_trade_no=intent.public_id, amount_fen=12_345,
                                        trade_no="2025030122001473031445215698")
    response = post_notification(client, "alipay", project.org.public_id, headers, body)
    assert (response.status_code, response.content) == (200, b"success")
    assert response["Content-Type"].startswith("text/plain")
    donation = Donation.objects.get()
    assert (donation.provider, donation.amount_fen) == ("alipay", 12_345)


def test_alipay_tampered_notification_gets_failure(client, merchant_keys):
    project = make_project()
    admin = project.org.memberships.get(role="admin").user
    credentials_set(org=project.org, actor=admin, provider="alipay", credentials=merchant_keys.alipay_credentials())
    intent = _intent(client, project, 12_345, provider="alipay")
    headers, body = alipay_notification(merchant_keys, out_trade_no=intent.public_id, amount_fen=12_345,
                                        trade_no="2025030122001473031445215698")
    body = body.replace(b"total_amount=123.45", b"total_amount=1.00")
    response = post_notification(client, "alipay", project.org.public_id, headers, body)
    assert (response.status_code, response.content) == (400, b"failure")
    assert Donation.objects.count() == 0


def test_notification_for_provider_without_credentials_is_refused(client, merchant_keys):
    project = make_project()
    intent = _intent(client, project, 12_345, provider="alipay")
    headers, body = alipay_notification(merchant_keys, out_trade_no=intent.public_id, amount_fen=12_345,
                                        trade_no="2025030122001473031445215698")
    response = post_notification(client, "alipay", project.org.public_id, headers, body)
    assert (response.status_code, response.content) == (400, b"failure")
    assert Donation.objects.count() == 0


# --- my donations ---------------------------------------------------------------------------


def test_my_donations_requires_sign_in(client):
    error = error_of(client.get(f"{API}/me/donations"), 401)
    assert error == {"code": "not_authenticated", "message": "sign in first"}


def test_my_donations_lists_own_donations_newest_first(client):
    donor = make_user()
    project = make_project(title_zh="乡村阅读角")
    first = donate(project, 1_000, donor=donor, donor_public=True)
    second = donate(project, 2_000, donor=donor)
    donate(project, 3_000)  # anonymous, not the donor's
    client.force_login(donor)
    body = client.get(f"{API}/me/donations").json()
    assert body["count"] == 2
    assert [item["public_id"] for item in body["items"]] == [second.public_id, first.public_id]
    assert body["items"][1] == {
        "public_id": first.public_id,
        "project": {"public_id": project.public_id, "title_zh": "乡村阅读角", "title_en": project.title_en},
        "amount_fen": 1_000, "refunded_fen": 0, "net_fen": 1_000, "currency": "CNY",
        "confirmed_at": body["items"][1]["confirmed_at"], "donor_public": True,
    }
    page = client.get(f"{API}/me/donations", {"limit": 1, "offset": 1}).json()
    assert (page["count"], [i["public_id"] for i in page["items"]]) == (2, [first.public_id])
    assert error_of(client.get(f"{API}/me/donations", {"limit": 0}), 422)["code"] == "invalid_request"


def test_my_donations_query_count(client, django_assert_num_queries):
    donor = make_user()
    for _ in range(3):
        donate(make_project(), 100, donor=donor)
    client.force_login(donor)
    # session, user, page of donations with projects, count
    with django_assert_num_queries(4):
        assert client.get(f"{API}/me/donations").json()["count"] == 3
