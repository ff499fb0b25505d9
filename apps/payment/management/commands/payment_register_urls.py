"""Register every active provider account's callback URLs with its provider (M-Pesa Paybill URLs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.payment.models import ProviderAccount
from apps.payment.providers.base import ProviderError
from apps.payment.services.registration import account_urls_register


class Command(BaseCommand):
    help = "Register the callback URLs of every active payment provider account with its provider."

    def handle(self, *args: Any, **options: Any) -> None:
        for account in ProviderAccount.objects.filter(active=True).order_by("company_id", "provider"):
            try:
                for line in account_urls_register(account):
                    self.stdout.write(f"Registered: {line}")
            except ProviderError as exc:
                # one provider down must not keep the others' URLs from being registered
                self.stderr.write(f"Could not register the URLs of {account}: {exc}")
