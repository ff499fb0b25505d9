"""Re-encrypt every SMS account's credentials under the first of NOTIFICATION_CREDENTIALS_KEYS:
`manage.py notification_rotate_credentials`. Run it after putting a new key first, before dropping the old one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.notification.sms.accounts import sms_credentials_rotate
from apps.notification.sms.credentials import CredentialsUnreadable


class Command(BaseCommand):
    help = "Re-encrypt all SMS gateway credentials under the first NOTIFICATION_CREDENTIALS_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():  # all accounts or none: a key dropped too early changes nothing
                count = sms_credentials_rotate()
        except CredentialsUnreadable as exc:
            raise CommandError(f"{exc} Nothing was re-encrypted.") from None
        self.stdout.write(f"Re-encrypted the credentials of {count} SMS accounts.")
