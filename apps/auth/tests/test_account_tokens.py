"""Staff invitations and password resets: single-use, expiring tokens delivered through events."""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.auth import api as auth_api
from apps.auth.models import AccountToken, Membership, SecurityEvent, User
from apps.auth.selectors import credential_hash
from apps.auth.tests.conftest import bearer
from apps.auth.tests.factories import PASSWORD, make_user
from transport.errors import NotFound, PermissionDenied
from transport.events.models import DeadLetter, OutboxMessage
from transport.principal import Principal

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 77"
SENDER = Principal.system("notification", {auth_api.SEND_ACCOUNT_LINKS})
TOKEN_ID_FIELD = {"identity.staff_invited": "invitation_id", "identity.password_reset_requested": "reset_id"}


def _published(event: str) -> dict:
    message = OutboxMessage.objects.filter(event=event).latest("created_at")
    assert json.loads(json.dumps(message.payload)) == message.payload  # JSON round trip
    return message.payload


def _link(payload: dict, event: str) -> auth_api.AccountLink:
    """What the notification app does at send time: ask identity for the link the event stands for."""
    return auth_api.account_link(principal=SENDER, token_id=UUID(payload[TOKEN_ID_FIELD[event]]))


def _token(payload: dict, event: str) -> str:
    return parse_qs(urlparse(_link(payload, event).url).query)["token"][0]


def _sent_token(event: str) -> str:
    return _token(_published(event), event)


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
    token = _token(sent, "identity.staff_invited")
    assert AccountToken.objects.get(user=invitee).token_hash == credential_hash(token)

    accept = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD},
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
    token = _sent_token("identity.staff_invited")
    api.post("/api/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD}, format="json")

    again = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": "another passphrase 99"},
                     format="json")

    assert again.status_code == 400
    assert again.json()["code"] == "token_not_valid"
    assert User.objects.get(email="once@example.test").check_password(NEW_PASSWORD)


def test_an_expired_invitation_is_refused_and_grants_nothing(api, company_a, admin_a):
    _invite(api, admin_a, company_a, email="late@example.test")
    token = _sent_token("identity.staff_invited")
    AccountToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD},
                        format="json")

    assert response.status_code == 400
    assert Membership.objects.filter(user__email="late@example.test").count() == 0
    assert not User.objects.get(email="late@example.test").has_usable_password()


def test_an_existing_account_accepts_with_its_own_password(api, company_a, admin_a):
    existing = make_user(email="known@example.test")
    _invite(api, admin_a, company_a, email="known@example.test")
    token = _sent_token("identity.staff_invited")

    wrong = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD}, format="json")
    assert wrong.status_code == 422
    assert Membership.objects.filter(user=existing).count() == 0

    right = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": PASSWORD}, format="json")
    assert right.status_code == 200
    assert Membership.objects.filter(user=existing, company_id=company_a).count() == 1


def test_a_weak_password_keeps_the_invitation_unspent(api, company_a, admin_a):
    _invite(api, admin_a, company_a, email="weak@example.test")
    token = _sent_token("identity.staff_invited")

    weak = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": "123"}, format="json")

    assert weak.status_code == 422
    assert AccountToken.objects.get().used_at is None


def test_a_password_reset_sets_a_new_password_and_ends_every_session(api):
    user = make_user(email="forgot@example.test")
    api.post("/api/v1/auth/token", {"identifier": "forgot@example.test", "password": PASSWORD}, format="json")

    asked = api.post("/api/v1/auth/password/reset", {"identifier": "forgot@example.test"}, format="json")
    token = _sent_token("identity.password_reset_requested")
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
    first = _sent_token("identity.password_reset_requested")  # the first message went out before the second ask
    api.post("/api/v1/auth/password/reset", {"identifier": "twice@example.test"}, format="json")
    first_row, second_row = OutboxMessage.objects.order_by("created_at")
    second = _token(second_row.payload, "identity.password_reset_requested")

    with pytest.raises(NotFound):  # superseded: nothing to send for the first request any more
        _link(first_row.payload, "identity.password_reset_requested")
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


def test_no_outbox_row_dead_letter_or_token_row_holds_a_working_token(api, company_a, admin_a):
    make_user(email="reset@example.test")
    _invite(api, admin_a, company_a, email="invited@example.test")
    api.post("/api/v1/auth/password/reset", {"identifier": "reset@example.test"}, format="json")
    tokens = [_sent_token("identity.staff_invited"), _sent_token("identity.password_reset_requested")]
    DeadLetter.objects.create(event_id=OutboxMessage.objects.first().id, event="identity.staff_invited",
                              handler="a.handler", payload=OutboxMessage.objects.first().payload, error="x", attempts=5)

    stored = json.dumps([list(OutboxMessage.objects.values("payload", "headers")),
                         list(DeadLetter.objects.values("payload", "headers")),
                         list(AccountToken.objects.values())], default=str)

    assert len(set(tokens)) == 2
    assert all(len(token) == 43 for token in tokens)
    assert [token in stored for token in tokens] == [False, False]
    assert sorted(OutboxMessage.objects.get(event="identity.staff_invited").payload) == [
        "company_id", "email", "expires_at", "full_name", "invitation_id", "invited_by", "phone", "roles", "user_id"]


def test_the_link_is_the_same_each_time_it_is_asked_for_and_accepts_the_invitation_once(api, company_a, admin_a):
    _invite(api, admin_a, company_a, email="link@example.test")
    sent = _published("identity.staff_invited")
    first, again = _link(sent, "identity.staff_invited"), _link(sent, "identity.staff_invited")
    token = parse_qs(urlparse(first.url).query)["token"][0]

    accept = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD}, format="json")
    replay = api.post("/api/v1/auth/invitations/accept", {"token": token, "password": NEW_PASSWORD}, format="json")

    assert first == again
    assert first.url == f"http://127.0.0.1:8000/invitations/accept?token={token}"
    assert (first.purpose, str(first.user_id)) == ("invitation", sent["user_id"])
    assert (accept.status_code, replay.status_code) == (200, 400)
    assert Membership.objects.filter(user__email="link@example.test", company_id=company_a).count() == 1
    with pytest.raises(NotFound):  # spent: nothing left to send
        _link(sent, "identity.staff_invited")


def test_the_reset_link_resets_the_password_once(api):
    user = make_user(email="reset-once@example.test")
    api.post("/api/v1/auth/password/reset", {"identifier": "reset-once@example.test"}, format="json")
    link = _link(_published("identity.password_reset_requested"), "identity.password_reset_requested")
    token = parse_qs(urlparse(link.url).query)["token"][0]

    confirm = api.post("/api/v1/auth/password/reset/confirm", {"token": token, "password": NEW_PASSWORD},
                       format="json")
    replay = api.post("/api/v1/auth/password/reset/confirm", {"token": token, "password": "yet another one 55"},
                      format="json")

    assert link.url == f"http://127.0.0.1:8000/password/reset?token={token}"
    assert (confirm.status_code, replay.status_code) == (204, 400)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_link_is_given_only_to_a_principal_that_may_send_it(api, company_a, admin_a):
    _invite(api, admin_a, company_a, email="nosy@example.test")
    sent = _published("identity.staff_invited")
    nosy = Principal.system("tracking", {"identity.view_contacts"})

    with pytest.raises(PermissionDenied):
        auth_api.account_link(principal=nosy, token_id=UUID(sent["invitation_id"]))
    with pytest.raises(NotFound):
        auth_api.account_link(principal=SENDER, token_id=UUID(int=7))
