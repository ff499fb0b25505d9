"""`@idempotent` on DRF views, through the whole request cycle (middleware, DRF, problem+json handler)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.probe.models import Effect
from transport.http.idempotency import idempotent
from transport.idempotency.models import IdempotencyRecord
from transport.principal import Principal, PrincipalKind

pytestmark = [pytest.mark.django_db, pytest.mark.urls("transport.idempotency.tests.urls")]

KEY = "4f9c1f7e-5a55-4c43-9d6e-3f3b1c6d2a10"


def post(client: APIClient, path: str, body: dict, key: str | None = KEY, **extra):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(path, body, format="json", headers=headers, **extra)


@pytest.mark.parametrize("path", ["/effects", "/effects-function", "/effects-viewset/bulk"])
def test_the_same_request_again_replays_the_first_answer_and_runs_once(api_client, path):
    first = post(api_client, path, {"name": "seat-12"})

    again = post(api_client, path, {"name": "seat-12"})

    effect = Effect.objects.get()
    assert first.status_code == 201
    assert first.json() == {"id": effect.id, "name": "seat-12"}
    assert "Idempotent-Replayed" not in first
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true"
    assert Effect.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.key, record.state, record.response_status) == (KEY, "done", 201)
    assert bytes(record.response_body) == first.content


def test_the_same_key_with_another_body_is_refused_with_422_and_runs_nothing(api_client):
    post(api_client, "/effects", {"name": "seat-12"})

    response = post(api_client, "/effects", {"name": "seat-14"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["instance"] == "/effects"
    assert list(Effect.objects.values_list("name", flat=True)) == ["seat-12"]
    assert IdempotencyRecord.objects.get().response_status == 201


def test_the_same_key_with_another_query_string_is_another_request(api_client):
    post(api_client, "/effects?currency=KES", {"name": "seat-12"})

    response = post(api_client, "/effects?currency=UGX", {"name": "seat-12"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Effect.objects.count() == 1


def test_a_missing_key_is_refused_with_400_and_runs_nothing(api_client):
    response = post(api_client, "/effects", {"name": "seat-12"}, key=None)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_missing"
    assert Effect.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["", "k" * 256, "caf\u00e9", "tab\there", "line\x7f"])
def test_an_invalid_key_is_refused_with_400_and_runs_nothing(api_client, key):
    response = post(api_client, "/effects", {"name": "seat-12"}, key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert Effect.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["k", "k" * 255, "order 17/2024: seat #12 ~ok"])
def test_any_printable_ascii_key_of_1_to_255_characters_is_accepted(api_client, key):
    response = post(api_client, "/effects", {"name": "seat-12"}, key=key)

    assert response.status_code == 201
    assert IdempotencyRecord.objects.get().key == key


def test_an_optional_key_may_be_left_out_and_then_nothing_is_recorded(api_client):
    first = post(api_client, "/effects-optional", {"name": "seat-12"}, key=None)
    second = post(api_client, "/effects-optional", {"name": "seat-12"}, key=None)

    assert (first.status_code, second.status_code) == (201, 201)
    assert Effect.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_an_optional_key_that_is_sent_is_honoured(api_client):
    first = post(api_client, "/effects-optional", {"name": "seat-12"})
    again = post(api_client, "/effects-optional", {"name": "seat-12"})

    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Effect.objects.count() == 1


def test_two_users_with_the_same_key_do_not_collide():
    users = get_user_model().objects
    amina = users.create_user(email="amina@example.com", password="correct horse battery")
    brian = users.create_user(email="brian@example.com", password="correct horse battery")
    amina_client, brian_client = APIClient(), APIClient()
    amina_client.force_authenticate(user=amina)
    brian_client.force_authenticate(user=brian)

    for_amina = post(amina_client, "/effects", {"name": "seat-12"})
    for_brian = post(brian_client, "/effects", {"name": "seat-12"})

    assert (for_amina.status_code, for_brian.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in for_brian
    assert for_amina.json()["id"] != for_brian.json()["id"]
    assert Effect.objects.count() == 2
    assert set(IdempotencyRecord.objects.values_list("scope", flat=True)) == {
        f"user:{amina.pk} POST /effects",
        f"user:{brian.pk} POST /effects",
    }


def test_two_devices_with_the_same_key_do_not_collide():
    counter, roadside = APIClient(), APIClient()
    counter.force_authenticate(token=Principal(kind=PrincipalKind.DEVICE, id="pos-counter"))
    roadside.force_authenticate(token=Principal(kind=PrincipalKind.DEVICE, id="pos-roadside"))

    from_counter = post(counter, "/effects", {"name": "seat-12"})
    from_roadside = post(roadside, "/effects", {"name": "seat-12"})

    assert (from_counter.status_code, from_roadside.status_code) == (201, 201)
    assert Effect.objects.count() == 2
    assert set(IdempotencyRecord.objects.values_list("scope", flat=True)) == {
        "device:pos-counter POST /effects",
        "device:pos-roadside POST /effects",
    }


def test_anonymous_callers_are_told_apart_by_their_address(api_client):
    first = post(api_client, "/effects", {"name": "seat-12"}, REMOTE_ADDR="198.51.100.7")
    other = post(api_client, "/effects", {"name": "seat-12"}, REMOTE_ADDR="203.0.113.9")
    first_again = post(api_client, "/effects", {"name": "seat-12"}, REMOTE_ADDR="198.51.100.7")

    assert (first.status_code, other.status_code, first_again.status_code) == (201, 201, 201)
    assert "Idempotent-Replayed" not in other
    assert first_again["Idempotent-Replayed"] == "true"
    assert Effect.objects.count() == 2
    assert set(IdempotencyRecord.objects.values_list("scope", flat=True)) == {
        "address:198.51.100.7 POST /effects",
        "address:203.0.113.9 POST /effects",
    }


def test_one_key_on_two_endpoints_does_not_collide(api_client):
    on_one = post(api_client, "/effects", {"name": "seat-12"})
    on_other = post(api_client, "/effects-function", {"name": "seat-12"})

    assert (on_one.status_code, on_other.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in on_other
    assert Effect.objects.count() == 2


def test_a_scope_longer_than_the_column_is_stored_as_its_hash(api_client):
    tag = "t" * 200

    first = post(api_client, f"/effects/{tag}", {"name": "seat-12"})
    again = post(api_client, f"/effects/{tag}", {"name": "seat-12"})

    expected = "sha256:" + hashlib.sha256(f"address:127.0.0.1 POST /effects/{tag}".encode()).hexdigest()
    assert IdempotencyRecord.objects.get().scope == expected
    assert (first.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert Effect.objects.count() == 1


def test_a_4xx_answer_is_stored_and_replayed(api_client):
    first = post(api_client, "/effects", {"name": ""})

    again = post(api_client, "/effects", {"name": ""})

    assert first.status_code == 422
    assert first.json()["code"] == "validation_failed"
    assert first.json()["errors"] == {"name": ["This field is required."]}
    assert again.status_code == 422
    assert again.content == first.content
    assert again["Content-Type"] == "application/problem+json"
    assert again["Idempotent-Replayed"] == "true"
    assert Effect.objects.count() == 0
    assert IdempotencyRecord.objects.get().response_status == 422


def test_an_answer_without_a_body_is_replayed_without_one(api_client):
    first = post(api_client, "/no-content", {})

    again = post(api_client, "/no-content", {})

    assert (first.status_code, again.status_code) == (204, 204)
    assert again.content == b""
    assert "Content-Type" not in again
    assert again["Idempotent-Replayed"] == "true"
    assert Effect.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "failed_status"),
    [("/effects-exploding", 500), ("/effects-unavailable", 503), ("/effects-limited", 429)],
)
def test_a_failure_worth_retrying_is_not_stored_so_a_retry_runs(path, failed_status):
    client = APIClient(raise_request_exception=False)
    failed = post(client, path, {"name": "seat-12"})
    records_after_failure = IdempotencyRecord.objects.count()
    Effect.objects.create(name="ready")

    retried = post(client, path, {"name": "seat-12"})

    assert failed.status_code == failed_status
    assert records_after_failure == 0
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert list(Effect.objects.exclude(name="ready").values_list("name", flat=True)) == ["seat-12"]
    assert IdempotencyRecord.objects.get().response_status == 201


def test_a_streamed_answer_is_not_stored_so_a_retry_runs_again(api_client):
    first = post(api_client, "/streamed", {})

    again = post(api_client, "/streamed", {})

    assert b"".join(first.streaming_content) == b"".join(again.streaming_content) == b"one two"
    assert "Idempotent-Replayed" not in again
    assert Effect.objects.filter(name="streamed").count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_the_decorator_refuses_a_view_that_is_not_a_drf_view():
    @idempotent()
    def plain_django_view(request):
        raise AssertionError("must not run")

    with pytest.raises(TypeError, match="DRF view methods and @api_view functions"):
        plain_django_view(HttpRequest())

    assert IdempotencyRecord.objects.count() == 0


def test_an_expired_record_is_taken_over_by_a_new_request(api_client):
    post(api_client, "/effects", {"name": "seat-12"})
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = post(api_client, "/effects", {"name": "seat-14"})

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert list(Effect.objects.order_by("id").values_list("name", flat=True)) == ["seat-12", "seat-14"]
    record = IdempotencyRecord.objects.get()
    assert bytes(record.response_body) == response.content


def test_a_request_whose_holder_died_runs_again_after_the_stale_timeout(api_client):
    IdempotencyRecord.objects.create(
        scope="address:127.0.0.1 POST /effects",
        key=KEY,
        request_hash=_hash_of_post("/effects", b'{"name":"seat-12"}'),
        created_at=timezone.now() - timedelta(seconds=61),
        expires_at=timezone.now() + timedelta(hours=23),
    )

    response = post(api_client, "/effects", {"name": "seat-12"})

    assert response.status_code == 201
    assert Effect.objects.count() == 1
    assert IdempotencyRecord.objects.get().state == "done"


def _hash_of_post(path: str, body: bytes) -> str:
    return hashlib.sha256(b"POST\n" + path.encode() + b"\n" + body).hexdigest()
