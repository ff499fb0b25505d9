"""API paths answer problem+json whatever the mode: an unknown path or a failing view with DEBUG on, a NUL in a
query string."""

import json

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def _problem(response) -> dict:
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    del body["type"]
    return body


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_api_path_is_a_404_problem_with_debug_on_or_off(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert _problem(response) == {"title": "Not found", "status": 404, "detail": "No endpoint answers at this path.",
                                  "code": "not_found", "instance": "/api/v1/no-such-thing",
                                  "request_id": response["X-Request-ID"]}


def test_a_post_to_an_unknown_api_path_is_a_404_problem_not_a_csrf_failure(client):
    client = type(client)(enforce_csrf_checks=True)

    with override_settings(DEBUG=True):
        response = client.post("/api/nothing/here", data="{}", content_type="application/json")

    assert response.status_code == 404
    assert _problem(response)["code"] == "not_found"


def test_an_unknown_path_outside_the_api_keeps_django_debug_page_with_debug_on(client):
    with override_settings(DEBUG=True):
        response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_a_nul_character_in_an_api_query_is_a_400_problem_before_any_view_runs(client):
    response = client.get("/api/v1/no-such-thing?q=a%00b")

    assert response.status_code == 400
    assert _problem(response) == {"title": "The request body is not well-formed", "status": 400,
                                  "detail": "The query string contains a NUL character.", "code": "malformed_request",
                                  "instance": "/api/v1/no-such-thing", "request_id": response["X-Request-ID"]}


def test_a_nul_character_in_a_query_outside_the_api_is_django_plain_400(client):
    response = client.get("/health/live?%00=1")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.urls("transport.tests.probe_api")
@pytest.mark.parametrize("debug", [True, False])
def test_an_error_in_an_api_view_is_a_500_problem_with_debug_on_or_off(debug, caplog):
    client = Client(raise_request_exception=False)

    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/probe/broken")

    assert response.status_code == 500
    assert _problem(response) == {
        "title": "Internal error", "status": 500,
        "detail": "An unexpected error occurred. Quote the request id when reporting it.", "code": "server_error",
        "instance": "/api/v1/probe/broken", "request_id": response["X-Request-ID"]}
    [logged] = [record for record in caplog.records if record.name == "django.request" and record.exc_info]
    assert str(logged.exc_info[1]) == "a bug in a view"


def test_an_api_path_answered_with_a_trailing_slash_still_redirects_there(client):
    response = client.get("/api/docs")

    assert response.status_code == 301
    assert response["Location"] == "/api/docs/"
