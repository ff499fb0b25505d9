"""Staff invitations and password resets: single-use, expiring tokens delivered through events."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.auth.models import AccountToken, Membership, SecurityEvent, User
from apps.auth.selectors import credential_hash
from apps.auth.tests.conftest import bearer
from apps.auth.tests.factories import PASSWORD, make_user
from transport.events.models import OutboxMessage

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 77"


def _published(event: str) -> dict:
    message = OutboxMessage.objects.get(event=event)
    assert json.loads(json.dumps(message.payload)) == message.payload  # JSON round trip
    return message.payload


def _invite(api, admin, company_id, **body):
    return api.post("/api/v1/auth/invitations", {"company_id": str(company_id), "roles": ["driver"], **body},
                    format="json", **bearer(admin))


def test_an_admin_invites_a_new_person_who_sets_a_password_and_joins(api, company_a, admin_a):
    response = _invite(api, admin_a, company_a, phone="+254733000111", full_name="Otieno")

    assert response.status_code == 201
    assert "token" not in response.json()
    sent = _published("identity.staff_invited")
    assert (sent["phone"], sent["roles"], sent["company_id"]) == ("+254733000111", ["driver"], str(company_a))
    invitee = User.objects.get(phone="+254733000111")
    assert not invitee.has_usable_password()
    assert Membership.objects.filter(user=invitee).count() == 0
    assert AccountToken.objects.get(user=invitee).token_hash == credential_hash(sent["token"])

    accept = api.post("/api/v1/auth/invitations/accept", {"token": sent["token"], "password": NEW_PASSWORD},
                      format="json")
    sign_in = api.post("/api/v1/auth/token", {"identifier": "+254733000111", "password": NEW_PASSWORD},
                       format="json")

    assert accept.status_code == 200
    assert sign_in.status_code == 200
    assert list(Membership.objects.get(user=invitee, company_id=company_a).roles.values_list("name", flat=True)) == [
        "driver"]
    assert SecurityEvent.objects.filter(kind="invitation_accepted", subject_user_id=invitee.pk).count() == 1


def test_an_invitation_is_single_use(api, company_a, admin_a):
    _invite(api, admin_a, company_a, email="once@example.test")
    token = _published("identity.staff_invited")["token"]
    api.post("/api/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD}, format="json")

    again = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": "another passphrase 99"},
                     format="json")

    assert again.status_code == 400
    assert again.json()["code"] == "token_not_valid"
    assert User.objects.get(email="once@example.test").check_password(NEW_PASSWORD)


def test_an_expired_invitation_is_refused_and_grants_nothing(api, company_a, admin_a):
    _invite(api, admin_a, company_a, email="late@example.test")
    token = _published("identity.staff_invited")["token"]
    AccountToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD},
                        format="json")

    assert response.status_code == 400
    assert Membership.objects.filter(user__email="late@example.test").count() == 0
    assert not User.objects.get(email="late@example.test").has_usable_password()


def test_an_existing_account_accepts_with_its_own_password(api, company_a, admin_a):
    existing = make_user(email="known@example.test")
    _invite(api, admin_a, company_a, email="known@example.test")
    token = _published("identity.staff_invited")["token"]

    wrong = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD}, format="json")
    assert wrong.status_code == 422
    assert Membership.objects.filter(user=existing).count() == 0

    right = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": PASSWORD}, format="json")
    assert right.status_code == 200
    assert Membership.objects.filter(user=existing, company_id=company_a).count() == 1


def test_a_weak_password_keeps_the_invitation_unspent(api, company_a, admin_a):
    _invite(api, admin_a, company_a, email="weak@example.test")
    token = _published("identity.staff_invited")["token"]

    weak = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": "123"}, format="json")

    assert weak.status_code == 422
    assert AccountToken.objects.get().used_at is None


def test_a_password_reset_sets_a_new_password_and_ends_every_session(api):
    user = make_user(email="forgot@example.test")
    api.post("/api/v1/auth/token", {"identifier": "forgot@example.test", "password": PASSWORD}, format="json")

    asked = api.post("/api/v1/auth/password/reset", {"identifier": "forgot@example.test"}, format="json")
    token = _published("identity.password_reset_requested")["token"]
    confirm = api.post("/api/v1/auth/password/reset/confirm", {"token": token, "password": NEW_PASSWORD},
                       format="json")
    replay = api.post("/api/v1/auth/password/reset/confirm", {"token": token, "password": "yet another one 55"},
                      format="json")

    assert (asked.status_code, confirm.status_code, replay.status_code) == (202, 204, 400)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).count() == 0
    assert SecurityEvent.objects.get(kind="password_reset_done").detail == {"refresh_tokens_revoked": 1}


def test_a_reset_for_an_unknown_account_answers_the_same_and_sends_nothing(api):
    response = api.post("/api/v1/auth/password/reset", {"identifier": "ghost@example.test"}, format="json")

    assert response.status_code == 202
    assert OutboxMessage.objects.count() == 0
    assert AccountToken.objects.count() == 0


def test_only_the_newest_reset_link_works(api):
    make_user(email="twice@example.test")
    api.post("/api/v1/auth/password/reset", {"identifier": "twice@example.test"}, format="json")
    api.post("/api/v1/auth/password/reset", {"identifier": "twice@example.test"}, format="json")
    first, second = (m.payload["token"] for m in OutboxMessage.objects.order_by("created_at"))

    old = api.post("/api/v1/auth/password/reset/confirm", {"token": first, "password": NEW_PASSWORD}, format="json")
    new = api.post("/api/v1/auth/password/reset/confirm", {"token": second, "password": NEW_PASSWORD}, format="json")

    assert (old.status_code, new.status_code) == (400, 204)


def test_password_reset_requests_are_rate_limited(api, settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS,
                               "password_reset": {"account": 2, "address": 500, "window": 60}}
    make_user(email="spam@example.test")

    statuses = [api.post("/api/v1/auth/password/reset", {"identifier": "spam@example.test"}, format="json",
                         REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(3)]

    assert statuses == [202, 202, 429]
    assert OutboxMessage.objects.count() == 2
