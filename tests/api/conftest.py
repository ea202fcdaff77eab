"""Shared helpers for the API tests: the Django test client against /api/v1."""

import json
import uuid

from django.test import Client

API = "/api/v1"


def error_of(response, status: int) -> dict:
    """The ``{"code", "message"}`` of an error answer, after checking status and shape."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"], body
    return body["error"]


def post_intent(client: Client, body: dict, *, key: str | None = "auto", **extra):
    headers = {} if key is None else {"Idempotency-Key": uuid.uuid4().hex if key == "auto" else key}
    return client.post(f"{API}/donation-intents", json.dumps(body), content_type="application/json",
                       headers=headers, **extra)


def post_notification(client: Client, provider: str, org_public_id: str, headers: dict, body: bytes,
                      content_type: str = "application/json"):
    headers = dict(headers)
    content_type = headers.pop("Content-Type", content_type)
    return client.post(f"{API}/payments/{provider}/{org_public_id}/notify", body, content_type=content_type,
                       headers=headers)
