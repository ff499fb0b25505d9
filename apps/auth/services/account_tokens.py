"""Staff invitations and password resets: single-use, expiring tokens, stored only as their sha256.

The token is never stored nor published: it is HMAC(AUTH_ACCOUNT_LINK_SECRET, purpose, row id, a random
salt kept with the row), so identity can derive it again when the notification app asks for the link at
send time (`account_link`), and a redelivered notification sends the same link. Reading the table or the
outbox gives no working link without the secret; the row's `used_at` makes it single-use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.auth import audit, ratelimit, signals
from apps.auth.models import AccountToken, User
from apps.auth.selectors import credential_hash
from apps.auth.services.accounts import (
    check_password_strength,
    normalize_email,
    normalize_phone,
    revoke_refresh_tokens,
    user_by_identifier,
)
from apps.auth.services.members import company_roles, membership_grant
from transport.errors import DomainError, NotFound, ValidationFailed
from transport.events import publish
from transport.principal import Principal

INVITE_STAFF = "identity.invite_staff"
SEND_ACCOUNT_LINKS = "identity.send_account_links"
SALT_BYTES = 32


class TokenNotValid(DomainError):
    status = 400
    code = "token_not_valid"
    title = "This link is not valid any more"


@dataclass(frozen=True)
class Invitation:
    id: UUID
    user_id: UUID
    company_id: UUID
    roles: list[str]
    expires_at: str


@dataclass(frozen=True)
class AccountLink:
    token_id: UUID
    purpose: str
    user_id: UUID
    token: str
    url: str
    expires_at: datetime


_LINK_TEMPLATES = {
    AccountToken.Purpose.INVITATION: "AUTH_INVITATION_LINK",
    AccountToken.Purpose.PASSWORD_RESET: "AUTH_PASSWORD_RESET_LINK",
}


def _derive_token(row: AccountToken) -> str:
    message = f"{row.purpose}:{row.pk}:{row.salt}".encode()
    digest = hmac.new(settings.AUTH_ACCOUNT_LINK_SECRET.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_token(*, purpose: str, user: User, lifetime, **fields) -> AccountToken:
    row = AccountToken(purpose=purpose, user=user, salt=secrets.token_hex(SALT_BYTES),
                       expires_at=timezone.now() + lifetime, **fields)
    row.token_hash = credential_hash(_derive_token(row))
    row.save(force_insert=True)
    return row


def account_link(*, principal: Principal, token_id: UUID) -> AccountLink:
    """The link of a pending invitation or password reset, for the message that delivers it.

    NotFound for one that is spent, expired, superseded by a newer reset, or unknown: nothing to send.
    """
    principal.require(SEND_ACCOUNT_LINKS)
    row = AccountToken.objects.filter(pk=token_id, used_at__isnull=True, expires_at__gt=timezone.now()).first()
    if row is None or not row.salt:  # rows from before links were derived had their token sent already
        raise NotFound("No pending invitation or password reset with this id.")
    token = _derive_token(row)
    url = getattr(settings, _LINK_TEMPLATES[AccountToken.Purpose(row.purpose)]).format(token=token)
    return AccountLink(token_id=row.pk, purpose=row.purpose, user_id=row.user_id, token=token, url=url,
                       expires_at=row.expires_at)


def _spend(*, token: str, purpose: str) -> AccountToken:
    """The unused, unexpired token row, locked and marked used; TokenNotValid for anything else."""
    row = (
        AccountToken.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=credential_hash(token), purpose=purpose, used_at__isnull=True,
                expires_at__gt=timezone.now())
        .first()
    )
    if row is None:
        raise TokenNotValid()
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    return row


@transaction.atomic
def invitation_create(
    *, principal: Principal, company_id: UUID, roles: list[str], email: str | None = None,
    phone: str | None = None, full_name: str = "",
) -> Invitation:
    """Invite someone by email or phone into a company with roles; they set a password through the link."""
    principal.require(INVITE_STAFF, company_id=company_id)
    chosen = sorted(role.name for role in company_roles(roles))
    if not email and not phone:
        raise ValidationFailed("Give an email address or a phone number.",
                               fields={"email": ["Give an email address or a phone number."]})
    email = normalize_email(email) if email else None
    phone = normalize_phone(phone) if phone else None
    user = user_by_identifier(email) if email else None
    user = user or (user_by_identifier(phone) if phone else None)
    if user is None:
        user = User(email=email, phone=phone, full_name=full_name.strip())
        user.set_unusable_password()  # no sign-in until the invitation is accepted
        user.save()
    row = _new_token(purpose=AccountToken.Purpose.INVITATION, user=user,
                            lifetime=settings.AUTH_INVITATION_LIFETIME, company_id=company_id, roles=chosen,
                            created_by_id=principal.user_id)
    expires_at = row.expires_at.isoformat()
    audit.record(audit.Kind.STAFF_INVITED, actor_id=principal.user_id, subject_user_id=user.pk,
                 company_id=company_id, roles=chosen)
    publish(signals.staff_invited, signals.StaffInvited(
        invitation_id=str(row.pk), user_id=str(user.pk), company_id=str(company_id), roles=chosen, email=user.email,
        phone=user.phone, full_name=user.full_name, expires_at=expires_at,
        invited_by=str(principal.user_id) if principal.user_id else None))
    return Invitation(id=row.pk, user_id=user.pk, company_id=company_id, roles=chosen, expires_at=expires_at)


@transaction.atomic
def invitation_accept(*, token: str, password: str, full_name: str = "") -> User:
    """Spend the invitation: set the password (when the invitee has none yet) and join the company."""
    row = _spend(token=token, purpose=AccountToken.Purpose.INVITATION)
    user = row.user
    if not user.is_active or row.company_id is None:  # a deactivated account is not revived by an invitation
        raise TokenNotValid()
    if not user.has_usable_password():
        check_password_strength(password, user=user)
        user.set_password(password)
    elif not user.check_password(password):
        # an existing account joins with its own password, proving it is theirs
        raise ValidationFailed("Sign in with your current password to accept.",
                               fields={"password": ["This is not your current password."]})
    if full_name.strip():
        user.full_name = full_name.strip()
    user.save()
    membership_grant(company_id=row.company_id, user_id=user.pk, roles=row.roles, actor_id=row.created_by_id)
    audit.record(audit.Kind.INVITATION_ACCEPTED, actor_id=user.pk, subject_user_id=user.pk,
                 company_id=row.company_id, roles=row.roles)
    return user


def password_reset_request(*, identifier: str, client_address: str | None = None) -> None:
    """Send a reset link if the account exists; answer the same either way (no account discovery)."""
    ratelimit.hit("password_reset", accounts=[identifier], client_address=client_address)
    user = user_by_identifier(identifier)
    if user is None or not user.is_active:
        return
    with transaction.atomic():
        # only the newest link works
        AccountToken.objects.filter(user=user, purpose=AccountToken.Purpose.PASSWORD_RESET,
                                    used_at__isnull=True).update(used_at=timezone.now())
        row = _new_token(purpose=AccountToken.Purpose.PASSWORD_RESET, user=user,
                         lifetime=settings.AUTH_PASSWORD_RESET_LIFETIME)
        audit.record(audit.Kind.PASSWORD_RESET_REQUESTED, subject_user_id=user.pk, client_address=client_address)
        publish(signals.password_reset_requested, signals.PasswordResetRequested(
            reset_id=str(row.pk), user_id=str(user.pk), email=user.email, phone=user.phone,
            full_name=user.full_name, expires_at=row.expires_at.isoformat()))


@transaction.atomic
def password_reset_confirm(*, token: str, password: str) -> None:
    """Set a new password and end every session of the account."""
    row = _spend(token=token, purpose=AccountToken.Purpose.PASSWORD_RESET)
    user = row.user
    check_password_strength(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    revoked = revoke_refresh_tokens(user_id=user.pk)
    audit.record(audit.Kind.PASSWORD_RESET_DONE, actor_id=user.pk, subject_user_id=user.pk,
                 refresh_tokens_revoked=revoked)
