import pytest
from django.contrib.auth.hashers import identify_hasher

from apps.auth.models import SecurityEvent, User
from apps.auth.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_a_passenger_registers_with_email_and_phone_and_can_sign_in(api):
    response = api.post("/api/v1/auth/register", {"email": "Ama@Example.TEST", "phone": "+233 24 123 4567",
                                                  "password": PASSWORD, "full_name": " Ama Mensah "}, format="json")

    assert response.status_code == 201
    user = User.objects.get(pk=response.json()["id"])
    assert (user.email, user.phone, user.full_name) == ("Ama@example.test", "+233241234567", "Ama Mensah")
    assert user.memberships.count() == 0
    assert SecurityEvent.objects.filter(kind="user_registered", subject_user_id=user.pk).count() == 1
    sign_in = api.post("/api/v1/auth/token", {"identifier": "+233241234567", "password": PASSWORD}, format="json")
    assert sign_in.status_code == 200


def test_passwords_are_hashed_with_argon2(api, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    api.post("/api/v1/auth/register", {"email": "argon@example.test", "password": PASSWORD}, format="json")

    assert identify_hasher(User.objects.get(email="argon@example.test").password).algorithm == "argon2"


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "argon@example.test"])
def test_weak_passwords_are_refused_by_djangos_validators(api, password):
    response = api.post("/api/v1/auth/register", {"email": "argon@example.test", "password": password},
                        format="json")

    assert response.status_code == 422
    assert "password" in response.json()["errors"]
    assert User.objects.count() == 0


@pytest.mark.parametrize("body", [{"email": "taken@example.test"}, {"email": "TAKEN@example.test"},
                                  {"phone": "+254711000000"}])
def test_an_email_or_phone_already_registered_answers_409(api, body):
    make_user(email="taken@example.test", phone="+254711000000")

    response = api.post("/api/v1/auth/register", {**body, "password": PASSWORD}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "account_exists"
    assert User.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [({}, "email"), ({"phone": "0712345678"}, "phone"),
                                             ({"email": "not-an-email"}, "email")])
def test_a_missing_or_malformed_sign_in_name_answers_422(api, body, field):
    response = api.post("/api/v1/auth/register", {**body, "password": PASSWORD}, format="json")

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert User.objects.count() == 0
