from datetime import timedelta

import jwt
import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.auth.jwt.keys import current_keys
from apps.auth.models import SecurityEvent
from apps.auth.tests.conftest import bearer
from apps.auth.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_sign_in_with_email_answers_a_token_pair_with_pinned_claims(api):
    user = make_user(email="ama@example.test")

    response = api.post("/api/v1/auth/token", {"identifier": "AMA@example.test", "password": PASSWORD},
                        format="json")

    assert response.status_code == 200
    access, refresh = response.json()["access"], response.json()["refresh"]
    header = jwt.get_unverified_header(access)
    assert header["alg"] == "EdDSA"
    assert header["kid"] == current_keys().signing_kid
    claims = _claims(access)
    assert claims["sub"] == str(user.pk)
    assert claims["iss"] == "transport-platform"
    assert claims["aud"] == "transport-api"
    assert claims["token_type"] == "access"
    assert claims["exp"] - claims["iat"] == int(timedelta(minutes=15).total_seconds())
    assert _claims(refresh)["token_type"] == "refresh"
    assert SecurityEvent.objects.filter(kind="login_succeeded", subject_user_id=user.pk).count() == 1


def test_sign_in_with_an_e164_phone_number(api):
    user = make_user(phone="+254708374149")

    response = api.post("/api/v1/auth/token", {"identifier": "+254 708 374 149", "password": PASSWORD},
                        format="json")

    assert response.status_code == 200
    assert _claims(response.json()["access"])["sub"] == str(user.pk)


def test_wrong_password_answers_401_and_issues_no_token(api):
    user = make_user(email="kofi@example.test")

    response = api.post("/api/v1/auth/token", {"identifier": "kofi@example.test", "password": "wrong"},
                        format="json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_credentials"
    assert OutstandingToken.objects.count() == 0
    assert SecurityEvent.objects.filter(kind="login_failed", subject_user_id=user.pk).count() == 1


def test_unknown_account_answers_the_same_401(api):
    response = api.post("/api/v1/auth/token", {"identifier": "nobody@example.test", "password": PASSWORD},
                        format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert SecurityEvent.objects.filter(kind="login_failed", subject_user_id=None).count() == 1


def test_refresh_rotates_and_blacklists_the_old_refresh_token(api):
    make_user(email="esi@example.test")
    first = api.post("/api/v1/auth/token", {"identifier": "esi@example.test", "password": PASSWORD},
                     format="json").json()

    response = api.post("/api/v1/auth/token/refresh", {"refresh": first["refresh"]}, format="json")

    assert response.status_code == 200
    second = response.json()
    assert second["refresh"] != first["refresh"]
    assert _claims(second["access"])["sub"] == _claims(first["access"])["sub"]
    assert BlacklistedToken.objects.filter(token__jti=_claims(first["refresh"])["jti"]).count() == 1
    assert BlacklistedToken.objects.filter(token__jti=_claims(second["refresh"])["jti"]).count() == 0


def test_reusing_a_spent_refresh_token_answers_401_and_revokes_the_whole_family(api):
    user = make_user(email="yaw@example.test")
    first = api.post("/api/v1/auth/token", {"identifier": "yaw@example.test", "password": PASSWORD},
                     format="json").json()
    second = api.post("/api/v1/auth/token/refresh", {"refresh": first["refresh"]}, format="json").json()

    reuse = api.post("/api/v1/auth/token/refresh", {"refresh": first["refresh"]}, format="json")
    after = api.post("/api/v1/auth/token/refresh", {"refresh": second["refresh"]}, format="json")

    assert reuse.status_code == 401
    assert after.status_code == 401
    assert OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).count() == 0
    # each presentation of a spent token is logged; the first one revoked the live one
    revoked = SecurityEvent.objects.filter(kind="refresh_reused", subject_user_id=user.pk).order_by("id")
    assert [event.detail["refresh_tokens_revoked"] for event in revoked] == [1, 0]


def test_logout_blacklists_the_refresh_token(api):
    user = make_user(email="abena@example.test")
    pair = api.post("/api/v1/auth/token", {"identifier": "abena@example.test", "password": PASSWORD},
                    format="json").json()

    response = api.post("/api/v1/auth/logout", {"refresh": pair["refresh"]}, format="json",
                        HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    refresh = api.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 204
    assert refresh.status_code == 401
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1


def test_logout_with_someone_elses_refresh_token_answers_401_and_blacklists_nothing(api):
    make_user(email="owner@example.test")
    other = make_user(email="other@example.test")
    pair = api.post("/api/v1/auth/token", {"identifier": "owner@example.test", "password": PASSWORD},
                    format="json").json()

    response = api.post("/api/v1/auth/logout", {"refresh": pair["refresh"]}, format="json", **bearer(other))

    assert response.status_code == 401
    assert BlacklistedToken.objects.count() == 0


def test_a_deactivated_user_cannot_sign_in_refresh_or_use_an_access_token(api):
    user = make_user(email="gone@example.test")
    pair = api.post("/api/v1/auth/token", {"identifier": "gone@example.test", "password": PASSWORD},
                    format="json").json()
    user.is_active = False
    user.save(update_fields=["is_active"])

    sign_in = api.post("/api/v1/auth/token", {"identifier": "gone@example.test", "password": PASSWORD},
                       format="json")
    refresh = api.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    me = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {pair['access']}")

    assert (sign_in.status_code, refresh.status_code, me.status_code) == (401, 401, 401)


def test_me_without_a_token_answers_401(api):
    response = api.get("/api/v1/auth/me")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
