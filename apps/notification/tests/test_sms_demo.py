"""What `make run` relies on: the emulators it starts stand in for the platform's SMS account with credentials
they accept, and `sms_report_urls --register-with-local-emulator` sets the platform's report URL in the local
Africa's Talking emulator, as an operator pastes it into the real dashboard."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.notification.emulators import accounts
from apps.notification.sms import report_urls
from apps.notification.sms.accounts import sms_account_save
from apps.notification.sms.registry import report_url, sms_backend_for

pytestmark = pytest.mark.django_db


def _emulator_env(name: str) -> dict[str, str]:
    [spec] = [spec for spec in settings.TRANSPORT_LOCAL_EMULATORS if spec["name"] == name]
    return dict(spec["env"])


def test_each_gateway_emulator_stands_in_for_all_of_its_settings_with_its_sandbox_account():
    assert _emulator_env("africastalking-emulator") == {
        "AFRICASTALKING_BASE_URL": "{base}", "AFRICASTALKING_USERNAME": accounts.AFRICASTALKING_USERNAME,
        "AFRICASTALKING_API_KEY": accounts.AFRICASTALKING_API_KEY}
    assert _emulator_env("twilio-emulator") == {
        "TWILIO_BASE_URL": "{base}", "TWILIO_ACCOUNT_SID": accounts.TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": accounts.TWILIO_AUTH_TOKEN}
    assert ["sms_report_urls", "--register-with-local-emulator"] in settings.TRANSPORT_DEMO_AFTER_READY


def test_the_report_urls_are_printed_and_the_platforms_set_in_the_local_emulator(sms_platform, africastalking):
    sms_platform.NOTIFICATION_REPORT_BASE_URL = "http://127.0.0.1:8000"
    company_id = uuid.uuid4()
    sms_account_save(company_id=company_id, backend="africastalking", sender_id="",
                     values={"username": "coastline", "api_key": "atsk-coastline"})
    out = StringIO()

    call_command("sms_report_urls", "--register-with-local-emulator", stdout=out)

    platform_url = report_urls.africastalking_report_url(company_id=None)
    assert out.getvalue().splitlines() == [
        f"Africa's Talking, the platform's account (sandbox): {platform_url}",
        f"Africa's Talking, company {company_id}: {report_urls.africastalking_report_url(company_id=company_id)}",
        "Twilio (given with every message): http://127.0.0.1:8000/api/v1/notifications/reports/twilio",
        f"Set in the local Africa's Talking emulator at {africastalking.base_url}."]
    backend, sender_id = sms_backend_for(company_id=None)
    backend.send(to="+254711000040", text="Hi", sender_id=sender_id, report_url=report_url(backend=backend,
                                                                                              company_id=None))
    assert {report["url"] for report in africastalking.reports()} == {platform_url}


def test_a_gateway_elsewhere_is_left_alone(settings):
    settings.AFRICASTALKING_BASE_URL = "https://api.africastalking.com"
    out = StringIO()

    call_command("sms_report_urls", "--register-with-local-emulator", stdout=out)

    assert out.getvalue().splitlines()[-1] == ("https://api.africastalking.com is not a local emulator: set the URL "
                                               "in the account's dashboard.")
