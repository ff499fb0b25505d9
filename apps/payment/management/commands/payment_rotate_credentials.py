"""Re-encrypt every provider account's credentials under the first of PAYMENT_CREDENTIALS_KEYS:
`manage.py payment_rotate_credentials`. Run it after putting a new key first, before dropping the old one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.payment.credentials import CredentialsUnreadable
from apps.payment.services.accounts import credentials_rotate


class Command(BaseCommand):
    help = "Re-encrypt all payment provider credentials under the first PAYMENT_CREDENTIALS_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():  # all accounts or none: a key dropped too early changes nothing
                count = credentials_rotate()
        except CredentialsUnreadable as exc:
            raise CommandError(f"{exc} Nothing was re-encrypted.") from None
        self.stdout.write(f"Re-encrypted the credentials of {count} provider accounts.")
