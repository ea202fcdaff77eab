"""The API root: every error under /api/v1 has the same JSON shape, and the document is served."""

import pytest

from tests.api.conftest import API, error_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/nope", "/projects/", "/projects/a/b", "/payments/sandbox/notify"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_routes_are_json_404(client, path, method):
    response = getattr(client, method)(f"{API}{path}")
    assert error_of(response, 404)["code"] == "not_found"


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("post", "/projects", "GET"),
        ("delete", "/projects/01jzzzzzzzzzzzzzzzzzzzzzzz", "GET"),
        ("put", "/organizations", "GET"),
        ("get", "/donation-intents", "POST"),
        ("patch", "/me/donations", "GET"),
    ],
)
def test_wrong_method_is_json_405_with_allow(client, method, path, allowed):
    response = getattr(client, method)(f"{API}{path}")
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert response["Allow"] == allowed


def test_unexpected_failure_is_json_500(client, monkeypatch):
    import commonweal.projects.api

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(commonweal.projects.api, "project_list", broken)
    error = error_of(client.get(f"{API}/projects"), 500)
    assert error == {"code": "internal_error", "message": "internal error"}


def test_openapi_document_declares_the_error_shape(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert set(document["paths"]) == {
        f"{API}/projects", f"{API}/projects/{{public_id}}", f"{API}/organizations",
        f"{API}/organizations/{{public_id}}", f"{API}/donation-intents",
        f"{API}/payments/{{provider}}/{{org_public_id}}/notify", f"{API}/me/donations",
        # disclosure/api_spending.py
        f"{API}/projects/{{public_id}}/finances", f"{API}/projects/{{public_id}}/disbursements",
        f"{API}/disbursements/{{public_id}}", f"{API}/disbursements/{{public_id}}/evidence",
        f"{API}/disbursements/{{public_id}}/transitions",
        # impact/api.py
        f"{API}/projects/{{public_id}}/impact",
    }
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    for path_item in document["paths"].values():
        for operation in path_item.values():
            assert operation["responses"]["4XX"]["content"]["application/json"]["schema"] == error_ref
    assert document["components"]["schemas"]["ErrorOut"]["required"] == ["error"]
    intent = document["paths"][f"{API}/donation-intents"]["post"]
    assert {"201", "200", "409"} <= set(intent["responses"])
    assert intent["parameters"][0]["name"] == "Idempotency-Key" and intent["parameters"][0]["required"] is True


def test_docs_page_is_served_from_local_static_files(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
