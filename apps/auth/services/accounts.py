"""Accounts: passenger self-registration, deactivation, and how a sign-in name is read."""

from __future__ import annotations

import re
from uuid import UUID

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.auth import audit
from apps.auth.models import User
from apps.auth.services.company_admins import admin_companies, admins_lock, last_admin_refuse
from transport.errors import Conflict, NotFound, ValidationFailed
from transport.principal import Principal

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
DEACTIVATE_PERMISSION = "identity.change_user"


def is_phone(identifier: str) -> bool:
    return identifier.strip().startswith("+")


def normalize_phone(phone: str) -> str:
    compact = re.sub(r"[\s\-()]", "", phone)
    if not E164.match(compact):
        raise ValidationFailed("Phone numbers are written in E.164 form, e.g. +254708374149.",
                               fields={"phone": ["Use E.164 form, e.g. +254708374149."]})
    return compact


def normalize_email(email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed("The email address is not valid.", fields={"email": list(exc.messages)}) from exc
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def user_by_identifier(identifier: str) -> User | None:
    """The user whose email (any case) or E.164 phone this is."""
    identifier = identifier.strip()
    if not identifier:
        return None
    if is_phone(identifier):
        try:
            return User.objects.filter(phone=normalize_phone(identifier)).first()
        except ValidationFailed:
            return None
    return User.objects.filter(email__iexact=identifier).first()


def check_password_strength(password: str, *, user: User) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed("The password is too weak.", fields={"password": list(exc.messages)}) from exc


@transaction.atomic
def user_register(
    *, password: str, email: str | None = None, phone: str | None = None, full_name: str = "",
    client_address: str | None = None,
) -> User:
    """A passenger signs up with an email address or a phone number, or both."""
    if not email and not phone:
        raise ValidationFailed("Give an email address or a phone number.",
                               fields={"email": ["Give an email address or a phone number."]})
    user = User(
        email=normalize_email(email) if email else None,
        phone=normalize_phone(phone) if phone else None,
        full_name=full_name.strip(),
    )
    check_password_strength(password, user=user)
    if (user.email and User.objects.filter(email__iexact=user.email).exists()) or (
        user.phone and User.objects.filter(phone=user.phone).exists()
    ):
        raise Conflict("An account with this email address or phone number exists.", code="account_exists")
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same email or phone won
        raise Conflict("An account with this email address or phone number exists.", code="account_exists") from exc
    audit.record(audit.Kind.USER_REGISTERED, actor_id=user.pk, subject_user_id=user.pk, client_address=client_address)
    return user


def revoke_refresh_tokens(*, user_id: UUID) -> int:
    """Blacklist every refresh token of a user that is not yet blacklisted; return how many."""
    pending = OutstandingToken.objects.filter(user_id=user_id, blacklistedtoken__isnull=True)
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in pending], ignore_conflicts=True
    )
    return len(created)


@transaction.atomic
def user_deactivate(*, principal: Principal, user_id: UUID) -> None:
    """Stop a user at once: no sign-in, no refresh, and every access token fails on its next request."""
    principal.require(DEACTIVATE_PERMISSION)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such user.")
    companies = admin_companies(user_id=user.pk)
    admins_lock(company_ids=companies)
    last_admin_refuse(user_id=user.pk, company_ids=companies)
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = revoke_refresh_tokens(user_id=user.pk)
    audit.record(audit.Kind.USER_DEACTIVATED, actor_id=principal.user_id, subject_user_id=user.pk,
                 refresh_tokens_revoked=revoked)
