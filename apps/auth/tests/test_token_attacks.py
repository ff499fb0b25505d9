"""Every forged, stale or revoked credential answers 401 and reaches no data."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from apps.auth.jwt.keys import current_keys, new_private_key_pem
from apps.auth.services.sessions import access_token_for
from apps.auth.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(user, **changes) -> dict:
    now = int(time.time())
    claims = {"token_type": "access", "sub": str(user.pk), "jti": "a" * 32, "iat": now, "exp": now + 300,
              "iss": "transport-platform", "aud": "transport-api"}
    claims.update(changes)
    return claims


def _signed(claims: dict, *, kid: str | None = None) -> str:
    keys = current_keys()
    return jwt.encode(claims, keys.signing_key, algorithm="EdDSA", headers={"kid": kid or keys.signing_kid})


def _me(api, token: str, scheme: str = "Bearer"):
    return api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"{scheme} {token}")


def test_a_genuine_token_is_accepted(api):
    user = make_user()

    assert _me(api, _signed(_claims(user))).status_code == 200


def test_alg_none_answers_401(api):
    user = make_user()
    token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': current_keys().signing_kid})}.{_b64(_claims(user))}."

    assert _me(api, token).status_code == 401


def test_hs256_signed_with_the_public_key_answers_401(api):
    user = make_user()
    keys = current_keys()
    public_pem = keys.verifying_keys[keys.signing_kid].public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": keys.signing_kid})
    body = _b64(_claims(user))
    signature = base64.urlsafe_b64encode(
        hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()).rstrip(b"=").decode()

    assert _me(api, f"{header}.{body}.{signature}").status_code == 401


def test_an_expired_token_answers_401(api):
    user = make_user()
    now = int(time.time())

    assert _me(api, _signed(_claims(user, iat=now - 1000, exp=now - 10))).status_code == 401


def test_a_tampered_payload_answers_401(api):
    user = make_user()
    victim = make_user()
    header, _body, signature = access_token_for(user).split(".")
    forged = f"{header}.{_b64(_claims(victim))}.{signature}"

    assert _me(api, forged).status_code == 401


@pytest.mark.parametrize("claim", [{"aud": "another-api"}, {"iss": "someone-else"}])
def test_wrong_audience_or_issuer_answers_401(api, claim):
    user = make_user()

    assert _me(api, _signed(_claims(user, **claim))).status_code == 401


def test_a_token_without_audience_answers_401(api):
    user = make_user()
    claims = _claims(user)
    del claims["aud"]

    assert _me(api, _signed(claims)).status_code == 401


def test_an_unknown_kid_answers_401(api):
    user = make_user()

    assert _me(api, _signed(_claims(user), kid="not-a-key-we-know")).status_code == 401


def test_a_token_signed_by_a_stranger_key_with_our_kid_answers_401(api):
    user = make_user()
    stranger = serialization.load_pem_private_key(new_private_key_pem().encode(), password=None)
    token = jwt.encode(_claims(user), stranger, algorithm="EdDSA", headers={"kid": current_keys().signing_kid})

    assert _me(api, token).status_code == 401


def test_a_refresh_token_used_as_an_access_token_answers_401(api):
    user = make_user(email="mixup@example.test")
    pair = api.post("/api/v1/auth/token", {"identifier": "mixup@example.test", "password": PASSWORD},
                    format="json").json()

    assert _me(api, pair["refresh"]).status_code == 401
    assert _me(api, pair["access"]).json()["id"] == str(user.pk)


def test_a_reused_blacklisted_refresh_token_answers_401(api):
    make_user(email="replay@example.test")
    pair = api.post("/api/v1/auth/token", {"identifier": "replay@example.test", "password": PASSWORD},
                    format="json").json()
    api.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")

    response = api.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_garbage_and_malformed_headers_answer_401(api):
    make_user()

    assert _me(api, "not.a.jwt").status_code == 401
    assert api.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Bearer").status_code == 401
    assert api.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Bearer a b").status_code == 401
