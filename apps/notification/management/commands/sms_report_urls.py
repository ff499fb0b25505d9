"""`manage.py sms_report_urls`: the delivery-report URLs to set up at the gateways. Africa's Talking takes one per
account, in its dashboard (the platform's, and each company's own account's); Twilio is given its URL with every
message, so there is nothing to set up there.

`--register-with-local-emulator` (what `make run` does) also sets the platform account's URL in the local Africa's
Talking emulator, as pasting it into the dashboard would, when AFRICASTALKING_BASE_URL is on this machine; with
a gateway elsewhere it changes nothing there and says so."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.notification.models import SmsAccount, SmsGateway
from apps.notification.sms import report_urls

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CONTROL_TIMEOUT_SECONDS = 10.0


class Command(BaseCommand):
    help = "Print the SMS gateways' delivery-report URLs (and set the platform's in a local emulator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--register-with-local-emulator", action="store_true",
                            help="Set the platform account's Africa's Talking report URL in the local emulator.")

    def handle(self, *args: Any, **options: Any) -> None:
        platform_url = report_urls.africastalking_report_url(company_id=None)
        self.stdout.write(f"Africa's Talking, the platform's account ({settings.AFRICASTALKING_USERNAME}): "
                          f"{platform_url}")
        for account in SmsAccount.objects.filter(backend=SmsGateway.AFRICASTALKING).order_by("company_id"):
            self.stdout.write(f"Africa's Talking, company {account.company_id}: "
                              f"{report_urls.africastalking_report_url(company_id=account.company_id)}")
        self.stdout.write(f"Twilio (given with every message): {report_urls.twilio_report_url()}")
        if options["register_with_local_emulator"]:
            self._register(platform_url)

    def _register(self, url: str) -> None:
        base = settings.AFRICASTALKING_BASE_URL
        if urlsplit(base).hostname not in LOOPBACK_HOSTS:
            self.stdout.write(f"{base} is not a local emulator: set the URL in the account's dashboard.")
            return
        try:
            response = httpx.post(f"{base}/_emu/report-url", timeout=CONTROL_TIMEOUT_SECONDS,
                                  json={"account": settings.AFRICASTALKING_USERNAME, "url": url})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise CommandError(f"The local Africa's Talking emulator at {base} did not take the URL: {exc}") from None
        self.stdout.write(f"Set in the local Africa's Talking emulator at {base}.")
