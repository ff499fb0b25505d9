"""Bearer requests are authenticated from the access token's roles claim, with no query, and stop
speaking for a user as soon as that user or a role changes."""

import socket
import time

import jwt
import pytest
from django.db import transaction
from rest_framework.test import APIRequestFactory

from apps.auth import api as auth_api
from apps.auth.jwt import revocation, tokens
from apps.auth.jwt.authentication import BearerTokenAuthentication
from apps.auth.jwt.keys import current_keys
from apps.auth.services import accounts, members
from apps.auth.services.sessions import access_token_for
from apps.auth.tests.factories import make_user
from transport.errors import NotAuthenticated

pytestmark = pytest.mark.django_db


def _authenticate(token: str):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
    return BearerTokenAuthentication().authenticate(request)


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def forget_marks_afterwards():
    yield
    revocation.forget_local_copy()


def _a_port_nobody_listens_on() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_access_token_carries_the_users_roles_and_when_they_were_read(company_a, company_b):
    user = make_user(roles={company_a: ["driver", "agent"], company_b: ["agent"]}, global_roles=["platform_admin"])
    user.memberships.get(company_id=company_b).roles.clear()  # still a member, with no role yet
    before = revocation.clock()

    claims = _claims(access_token_for(user))

    assert claims["roles"] == {str(company_a): ["agent", "driver"], str(company_b): [], "*": ["platform_admin"]}
    assert before <= claims["roles_at"] <= revocation.clock()


def test_a_company_with_no_roles_yet_still_shows_in_the_principal(company_a):
    user = make_user(roles={company_a: ["agent"]})
    user.memberships.get().roles.clear()

    principal = auth_api.principal_from_access_token(token=access_token_for(user))

    assert principal.company_permissions == {company_a: frozenset()}


def test_the_principal_from_claims_equals_the_one_from_the_database(company_a, company_b):
    user = make_user(roles={company_a: ["company_admin", "driver"], company_b: ["dispatcher"]},
                     global_roles=["platform_admin"])

    from_claims = auth_api.principal_from_access_token(token=access_token_for(user))
    from_database = auth_api.principal_for_user(user_id=user.pk)

    assert from_claims.kind == from_database.kind
    assert (from_claims.id, from_claims.user_id) == (user.pk, user.pk)
    assert from_claims.company_permissions == from_database.company_permissions
    assert from_claims.global_permissions == from_database.global_permissions


def test_request_user_is_read_only_when_a_view_asks(django_assert_num_queries, company_a):
    user = make_user(email="lazy@example.test", roles={company_a: ["agent"]})
    token = access_token_for(user)
    _authenticate(token)  # the process loads the role table once

    with django_assert_num_queries(0):
        found_user, _principal = _authenticate(token)
        assert found_user.is_authenticated
        assert bool(found_user)
    with django_assert_num_queries(1):
        assert found_user.email == "lazy@example.test"


def test_a_permission_granted_to_a_role_reaches_live_tokens_on_their_next_request(company_a):
    agent = make_user(roles={company_a: ["agent"]})
    token = access_token_for(agent)
    before = auth_api.principal_from_access_token(token=token)

    auth_api.role_grant_permissions(role="agent", permissions=["identity.view_role"])
    after = auth_api.principal_from_access_token(token=token)

    assert not before.has("identity.view_role", company_id=company_a)
    assert after.has("identity.view_role", company_id=company_a)


def test_a_rolled_back_role_change_leaves_live_tokens_as_they_were(company_a):
    agent = make_user(roles={company_a: ["agent"]})
    token = access_token_for(agent)
    seen_inside = None

    with pytest.raises(RuntimeError), transaction.atomic():
        auth_api.role_grant_permissions(role="agent", permissions=["identity.view_role"])
        seen_inside = auth_api.principal_from_access_token(token=token)
        raise RuntimeError("roll back")
    after = auth_api.principal_from_access_token(token=token)

    assert seen_inside.has("identity.view_role", company_id=company_a)
    assert not after.has("identity.view_role", company_id=company_a)


def test_a_members_new_roles_apply_to_their_live_token_at_once(django_assert_num_queries, company_a, admin_a):
    member = make_user(roles={company_a: ["driver"]})
    token = access_token_for(member)

    members.member_roles_set(principal=auth_api.principal_for_user(user_id=admin_a.pk), company_id=company_a,
                             user_id=member.pk, roles=["company_admin"])
    with django_assert_num_queries(2):  # the token's roles are stale now: the user is read from the database
        _user, principal = _authenticate(token)

    assert principal.has("identity.manage_members", company_id=company_a)


def test_a_removed_members_live_token_no_longer_reaches_the_company(company_a, admin_a):
    member = make_user(roles={company_a: ["dispatcher"]})
    token = access_token_for(member)

    members.member_remove(principal=auth_api.principal_for_user(user_id=admin_a.pk), company_id=company_a,
                          user_id=member.pk)
    principal = auth_api.principal_from_access_token(token=token)

    assert principal.company_ids == frozenset()


def test_a_deactivated_users_live_token_answers_401_on_its_next_request(api):
    platform = make_user(global_roles=["platform_admin"])
    user = make_user()
    token = access_token_for(user)
    assert api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    accounts.user_deactivate(principal=auth_api.principal_for_user(user_id=platform.pk), user_id=user.pk)
    response = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    with pytest.raises(NotAuthenticated):
        auth_api.principal_from_access_token(token=token)


def test_another_process_learns_of_a_deactivation_by_its_next_check(settings):
    user = make_user()
    roles_at = _claims(access_token_for(user))["roles_at"]
    other_process = revocation.LocalCopy()
    settings.AUTH_REVOCATION_CHECK_SECONDS = 3600
    before = other_process.current()

    user.is_active = False
    user.save(update_fields=["is_active"])
    within_its_interval = other_process.current()
    settings.AUTH_REVOCATION_CHECK_SECONDS = 0
    at_its_next_check = other_process.current()

    assert before.claims_are_current(user_id=str(user.pk), roles_read_at=roles_at)
    assert within_its_interval is before  # it has not looked yet: the window is one check interval
    assert not at_its_next_check.claims_are_current(user_id=str(user.pk), roles_read_at=roles_at)


def test_without_redis_bearer_requests_are_resolved_from_the_database(
    django_assert_num_queries, settings, company_a, forget_marks_afterwards,
):
    user = make_user(roles={company_a: ["agent"]})
    settings.REDIS_URL = f"redis://127.0.0.1:{_a_port_nobody_listens_on()}/0"
    revocation.forget_local_copy()
    token = access_token_for(user)

    with django_assert_num_queries(2):
        found_user, principal = _authenticate(token)

    assert "roles" not in _claims(token)  # issued without Redis: the token carries no roles
    assert revocation.current() is None
    assert found_user == user
    assert principal.company_ids == frozenset({company_a})


def test_a_token_without_a_roles_claim_is_resolved_from_the_database(django_assert_num_queries):
    user = make_user()
    now = int(time.time())
    keys = current_keys()
    token = jwt.encode({"token_type": "access", "sub": str(user.pk), "jti": "b" * 32, "iat": now, "exp": now + 300,
                        "iss": "transport-platform", "aud": "transport-api"},
                       keys.signing_key, algorithm="EdDSA", headers={"kid": keys.signing_kid})

    with django_assert_num_queries(2):
        found_user, principal = _authenticate(token)

    assert found_user == user
    assert principal.user_id == user.pk


def test_a_token_verified_before_answers_401_once_it_expires(api, monkeypatch):
    user = make_user()
    now = int(time.time())
    keys = current_keys()
    token = jwt.encode({"token_type": "access", "sub": str(user.pk), "jti": "c" * 32, "iat": now, "exp": now + 300,
                        "iss": "transport-platform", "aud": "transport-api"},
                       keys.signing_key, algorithm="EdDSA", headers={"kid": keys.signing_kid})
    fresh = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")

    monkeypatch.setattr(tokens, "clock", lambda: now + 300)  # the moment it expires, without waiting for it
    expired = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert (fresh.status_code, expired.status_code) == (200, 401)
