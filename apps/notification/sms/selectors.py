"""Reads of SMS accounts."""

from __future__ import annotations

from uuid import UUID

from apps.notification.models import Delivery, SmsAccount


def sms_account_enabled(*, company_id: UUID) -> SmsAccount | None:
    """The company's own account if it has one and it is enabled."""
    return SmsAccount.objects.filter(company_id=company_id, enabled=True).first()


def sms_account_of(*, company_id: UUID) -> SmsAccount | None:
    """The company's own account, enabled or not (a message it sent may still be reported on)."""
    return SmsAccount.objects.filter(company_id=company_id).first()


def delivery_company(*, backend: str, message_id: str) -> tuple[bool, UUID | None]:
    """Whether `backend` sent a message we know as `message_id`, and for which company (None: the platform's)."""
    if not message_id or "\x00" in message_id:  # a NUL names nothing (PostgreSQL text cannot hold one)
        return False, None
    found = Delivery.objects.filter(backend=backend, provider_message_id=message_id).values_list("company_id").first()
    return (False, None) if found is None else (True, found[0])
