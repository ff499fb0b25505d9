"""Companies' SMS accounts: written with their credentials encrypted (the only writer of SmsAccount), and
re-encrypted under the first key when the keys rotate."""

from __future__ import annotations

import re
from collections.abc import Mapping
from uuid import UUID

from django.db import transaction

from apps.notification.models import SmsAccount, SmsGateway
from apps.notification.sms import credentials, registry
from transport.errors import ValidationFailed

ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")  # what networks show as the sender
SHORTCODE = re.compile(r"^\d{3,8}$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")


def sender_id_checked(*, backend: str, sender_id: str) -> str:
    """The sender id as the gateway takes it, else ValidationFailed: Africa's Talking an alphanumeric id of up to
    11 characters or a shortcode (blank: its shared one); Twilio a From number, an alphanumeric id or a
    Messaging Service SID."""
    sender_id = sender_id.strip()
    if backend == SmsGateway.AFRICASTALKING:
        if sender_id and not (ALPHANUMERIC_SENDER.match(sender_id) or SHORTCODE.match(sender_id)):
            raise ValidationFailed("An Africa's Talking sender id is up to 11 letters, digits or spaces, or a "
                                   "shortcode.", fields={"sender_id": ["Not a sender id Africa's Talking takes."]})
        return sender_id
    service = sender_id.startswith("MG")  # sent as a MessagingServiceSid (apps/notification/sms/twilio.py)
    if not (MESSAGING_SERVICE_SID.match(sender_id) if service
            else E164.match(sender_id) or ALPHANUMERIC_SENDER.match(sender_id)):
        raise ValidationFailed("A Twilio sender is a From number in E.164 (+254...), an alphanumeric sender id or "
                               "a Messaging Service SID (MG...).",
                               fields={"sender_id": ["Not a sender Twilio takes."]})
    return sender_id


def sms_account_checked(*, company_id: UUID, backend: str, sender_id: str,
                        values: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The sender id and the full credentials the account would be saved with, else ValidationFailed. A blank
    value keeps the stored one while the gateway stays the same (an admin form never has to show a secret to
    keep it); every credential of the gateway must end up set."""
    try:
        fields = registry.backend_class(backend).credential_fields
    except LookupError as exc:
        raise ValidationFailed(str(exc), fields={"backend": [str(exc)]}) from None
    unknown = set(values) - {field.name for field in fields}
    if unknown:
        raise ValidationFailed(f"Unknown credential fields: {', '.join(sorted(unknown))}.")
    sender_id = sender_id_checked(backend=backend, sender_id=sender_id)
    account = SmsAccount.objects.filter(company_id=company_id).first()
    stored = credentials.decrypt(account.credentials_encrypted) if account and account.backend == backend else {}
    merged = {**stored, **{name: value.strip() for name, value in values.items() if value.strip()}}
    missing = [field for field in fields if not merged.get(field.name)]
    if missing:
        raise ValidationFailed(f"Missing: {', '.join(field.label for field in missing)}.",
                               fields={field.name: ["Required."] for field in missing})
    return sender_id, {field.name: merged[field.name] for field in fields}


def sms_account_save(*, company_id: UUID, backend: str, sender_id: str, values: Mapping[str, str],
                     enabled: bool | None = None) -> SmsAccount:
    """Create or update the company's account (sms_account_checked says what is taken). `enabled` None keeps it
    (a new account is enabled)."""
    with transaction.atomic():
        account = SmsAccount.objects.select_for_update().filter(company_id=company_id).first()
        sender_id, full = sms_account_checked(company_id=company_id, backend=backend, sender_id=sender_id,
                                              values=values)
        account = account or SmsAccount(company_id=company_id)
        account.backend = backend
        account.sender_id = sender_id
        if enabled is not None:
            account.enabled = enabled
        account.credentials_encrypted = credentials.encrypt(full)
        account.save()
    return account


def sms_credentials_rotate() -> int:
    """Re-encrypt every account's credentials under the first configured key; the number of accounts."""
    count = 0
    for account in SmsAccount.objects.select_for_update().order_by("id"):
        account.credentials_encrypted = credentials.rotate(account.credentials_encrypted)
        account.save(update_fields=["credentials_encrypted", "updated_at"])
        count += 1
    return count
