"""Whom a message reaches and how: the account behind a booking (its email, and its phone when the passenger gave
none), the passenger's own phone, and what each asked for (their language; no non-essential messages).

Reads only. Contact details come from identity at send-planning time, never from an event's payload."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from apps.auth import api as auth_api
from apps.company import api as company_api
from apps.notification.models import ContactPreference
from transport.errors import NotFound
from transport.principal import Principal

READER = Principal.system("notification.contacts", {auth_api.VIEW_CONTACTS})


@dataclass(frozen=True)
class Addressee:
    """One person a message goes to: the addresses it may use and the language it is written in."""

    name: str
    phone: str  # E.164, or "" when no SMS reaches them
    email: str  # or "" when no email reaches them
    language: str
    opted_out: bool  # of non-essential messages
    user_id: UUID | None = None


def account_contact(user_id: UUID | None) -> auth_api.Contact | None:
    """The account's contact details, None when there is no such (active) account."""
    if user_id is None:
        return None
    try:
        contact = auth_api.user_contact(principal=READER, user_id=user_id)
    except NotFound:
        return None
    return contact if contact.is_active else None


def _preferences(user_id: UUID | None, addresses: Iterable[str]) -> list[ContactPreference]:
    keys = [address for address in addresses if address]
    found = list(ContactPreference.objects.filter(address__in=keys)) if keys else []
    if user_id is not None:
        found = list(ContactPreference.objects.filter(user_id=user_id)) + found
    return found  # the account's own first


def _language(preferences: list[ContactPreference], company_id: UUID | None) -> str:
    asked = next((preference.language for preference in preferences if preference.language), "")
    return asked or (company_api.company_settings(company_id=company_id).language if company_id else "en")


def preferred_language(*, company_id: UUID | None, user_id: UUID | None = None, addresses: Iterable[str] = ()) -> str:
    """What someone asked to be written in (by account, else by phone or email), else the company's language."""
    return _language(_preferences(user_id, addresses), company_id)


def addressee(*, company_id: UUID | None, name: str, phone: str = "", email: str = "",
              user_id: UUID | None = None) -> Addressee:
    """Someone to write to: their language is what they asked for (their account's, else their address's), else
    the company's; they opted out if they did so under any of the keys."""
    preferences = _preferences(user_id, (phone, email))
    return Addressee(name=name, phone=phone, email=email, language=_language(preferences, company_id),
                     user_id=user_id, opted_out=any(preference.opted_out for preference in preferences))


def passenger(*, company_id: UUID, passenger_name: str, passenger_phone: str,
              holder_user_id: UUID | None) -> Addressee:
    """A ticket's passenger, reached by SMS on their own phone (else the booking account's) and by email at the
    account the booking was made under."""
    account = account_contact(holder_user_id)
    return addressee(company_id=company_id, name=passenger_name, user_id=holder_user_id,
                     phone=passenger_phone or (account.phone or "" if account else ""),
                     email=account.email or "" if account else "")


def user(*, company_id: UUID | None, user_id: UUID) -> Addressee | None:
    """A person with an account (staff, a booking's holder): None when it is gone or inactive."""
    account = account_contact(user_id)
    if account is None:
        return None
    return addressee(company_id=company_id, name=account.full_name, user_id=user_id, phone=account.phone or "",
                     email=account.email or "")
