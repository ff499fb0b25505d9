import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.probe.models import Effect

PROBE_API = "transport.tests.probe_api"
EFFECTS = "/api/v1/probe/effects"


def problem(response) -> dict:
    """The body of a problem+json answer, after checking it is one and carries the request's id."""
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["request_id"] == response["X-Request-ID"]
    return body


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_valid_body_is_accepted_and_written(client):
    response = client.post(EFFECTS, {"name": "ok", "seats": 2, "stop": {"name": "Nakuru"}},
                           content_type="application/json")

    assert response.status_code == 201
    assert list(Effect.objects.values_list("name", flat=True)) == ["ok"]


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_malformed_json_is_a_400_malformed_request(client):
    response = client.post(EFFECTS, '{"name": "ok", ', content_type="application/json")

    body = problem(response)
    assert response.status_code == 400
    assert body == {
        "type": "about:blank",
        "title": "The request body is not well-formed",
        "status": 400,
        "detail": "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 16 (char 15)",
        "code": "malformed_request",
        "instance": EFFECTS,
        "request_id": response["X-Request-ID"],
    }
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_json_nested_deeper_than_the_decoder_follows_is_a_400_not_a_500(client):
    response = client.post(EFFECTS, "[" * 5000 + "]" * 5000, content_type="application/json")

    body = problem(response)
    assert response.status_code == 400
    assert (body["code"], body["detail"]) == ("malformed_request", "JSON parse error - the body is nested too deeply.")
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_an_unknown_field_is_a_400_naming_it(client):
    response = client.post(EFFECTS, {"name": "ok", "seats": 2, "seat_count": 2}, content_type="application/json")

    body = problem(response)
    assert response.status_code == 400
    assert body == {
        "type": "about:blank",
        "title": "The request is not valid",
        "status": 400,
        "detail": "One or more fields are not valid.",
        "code": "validation_failed",
        "instance": EFFECTS,
        "request_id": response["X-Request-ID"],
        "errors": {"seat_count": ["Unknown field."]},
    }
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_unknown_fields_are_reported_beside_the_other_errors_nested_ones_by_path(client):
    response = client.post(EFFECTS, {"name": "ok", "seats": 0, "colour": "red", "stop": {"name": "A", "km": 3}},
                           content_type="application/json")

    assert response.status_code == 400
    assert problem(response)["errors"] == {
        "seats": ["Ensure this value is greater than or equal to 1."],
        "colour": ["Unknown field."],
        "stop.km": ["Unknown field."],
    }
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_wrong_types_are_a_400_with_a_message_per_field(client):
    response = client.post(EFFECTS, {"name": ["ok"], "seats": "many", "stop": "Nakuru"},
                           content_type="application/json")

    assert response.status_code == 400
    assert problem(response)["errors"] == {
        "name": ["Not a valid string."],
        "seats": ["A valid integer is required."],
        "stop.non_field_errors": ["Invalid data. Expected a dictionary, but got str."],
    }
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_missing_required_fields_are_a_400_naming_each(client):
    response = client.post(EFFECTS, {}, content_type="application/json")

    assert response.status_code == 400
    assert problem(response)["errors"] == {
        "name": ["This field is required."],
        "seats": ["This field is required."],
    }
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("[1, 2]", "Invalid data. Expected a dictionary, but got list."),
        ('"a string"', "Invalid data. Expected a dictionary, but got str."),
        ("null", "No data provided"),
    ],
)
def test_a_body_that_is_not_an_object_is_a_400(client, payload, message):
    response = client.post(EFFECTS, payload, content_type="application/json")

    body = problem(response)
    assert response.status_code == 400
    assert (body["code"], body["errors"]) == ("validation_failed", {"non_field_errors": [message]})
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_model_serializer_rejects_unknown_fields_too(client):
    response = client.post("/api/v1/probe/model-effects", {"name": "ok", "nmae": "typo"},
                           content_type="application/json")

    assert response.status_code == 400
    assert problem(response)["errors"] == {"nmae": ["Unknown field."]}
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_model_serializer_accepts_its_read_only_fields_back_and_ignores_them(client):
    response = client.post("/api/v1/probe/model-effects", {"id": 999999, "name": "ok", "created_at": "2020-01-01"},
                           content_type="application/json")

    assert response.status_code == 201
    effect = Effect.objects.get()
    assert (effect.name, response.json()["id"]) == ("ok", effect.id)
    assert effect.id != 999999


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_body_over_the_limit_is_a_413(client):
    oversize = json.dumps({"name": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "seats": 1})

    response = client.post(EFFECTS, oversize, content_type="application/json")

    body = problem(response)
    assert response.status_code == 413
    assert body == {
        "type": "about:blank",
        "title": "The request body is too large",
        "status": 413,
        "detail": f"The request body may be at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
        "code": "payload_too_large",
        "instance": EFFECTS,
        "request_id": response["X-Request-ID"],
    }
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_declared_length_over_the_limit_is_a_413_before_the_body_is_read(client):
    huge = str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 100)

    response = client.post(EFFECTS, '{"name": "ok", "seats": 1}', content_type="application/json", CONTENT_LENGTH=huge)

    assert response.status_code == 413
    assert problem(response)["code"] == "payload_too_large"
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_body_over_the_limit_is_a_413_for_a_plain_django_view_under_api_too(client):
    oversize = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client.post("/api/v1/probe/raw", oversize, content_type="application/octet-stream")

    body = problem(response)
    assert response.status_code == 413
    assert (body["code"], body["instance"]) == ("payload_too_large", "/api/v1/probe/raw")
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_that_is_not_json_is_a_415(client, content_type):
    response = client.post(EFFECTS, "name=ok&seats=1", content_type=content_type)

    body = problem(response)
    assert response.status_code == 415
    assert (body["code"], body["title"], body["detail"]) == (
        "unsupported_media_type",
        "Unsupported content type",
        f'Unsupported media type "{content_type}" in request.',
    )
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_domain_error_from_a_view_keeps_its_status_code_and_fields(client):
    response = client.post("/api/v1/probe/conflict", {}, content_type="application/json")

    body = problem(response)
    assert response.status_code == 409
    assert body == {
        "type": "about:blank",
        "title": "The request conflicts with the current state",
        "status": 409,
        "detail": "Seat 4 is already held.",
        "code": "seat_taken",
        "instance": "/api/v1/probe/conflict",
        "request_id": response["X-Request-ID"],
        "errors": {"seat": ["Seat 4 is already held."]},
    }


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_limit_exceeded_is_a_429_with_retry_after(client):
    response = client.post("/api/v1/probe/limit", {}, content_type="application/json")

    body = problem(response)
    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert (body["code"], body["title"], body["detail"]) == (
        "limit_exceeded",
        "Too many requests",
        "At most 6 holds per device.",
    )


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_domain_error_rolls_back_what_the_view_wrote_under_atomic_requests(client, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)

    response = client.post("/api/v1/probe/half-write", {}, content_type="application/json")

    assert response.status_code == 409
    assert problem(response)["code"] == "conflict"
    assert Effect.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_wrong_method_is_a_405_with_allow(client):
    response = client.delete(EFFECTS)

    body = problem(response)
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert (body["code"], body["detail"]) == ("method_not_allowed", 'Method "DELETE" not allowed.')


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_an_unexpected_error_is_a_500_problem_that_hides_the_exception():
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/probe/broken")

    body = problem(response)
    assert response.status_code == 500
    assert body == {
        "type": "about:blank",
        "title": "Internal error",
        "status": 500,
        "detail": "An unexpected error occurred. Quote the request id when reporting it.",
        "code": "server_error",
        "instance": "/api/v1/probe/broken",
        "request_id": response["X-Request-ID"],
    }


@pytest.mark.django_db
def test_an_unknown_api_path_is_a_404_problem(client):
    response = client.get("/api/v1/no-such-thing/")

    body = problem(response)
    assert response.status_code == 404
    assert body == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "No endpoint answers at this path.",
        "code": "not_found",
        "instance": "/api/v1/no-such-thing/",
        "request_id": response["X-Request-ID"],
    }


@pytest.mark.django_db
def test_an_unknown_path_outside_the_api_keeps_django_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
