"""Which account sends a company's messages (its own SMS account, else the platform's), where their reports go,
and companies' accounts: saved through their service only, credentials encrypted at rest and rotated."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from apps.notification.models import SmsAccount
from apps.notification.sms import credentials, report_urls
from apps.notification.sms.accounts import sms_account_save
from apps.notification.sms.credentials import CredentialsUnreadable
from apps.notification.sms.registry import report_url, sms_backend_for
from transport.credentials import CredentialsBox
from transport.errors import ValidationFailed

pytestmark = pytest.mark.django_db

AT_VALUES = {"username": "coastline", "api_key": "atsk-coastline-SECRET-7781"}
TWILIO_VALUES = {"account_sid": "AC" + "3b" * 16, "auth_token": "twilio-token-SECRET-0042"}
NUMBER = "+254711000010"


def _raw_column(account: SmsAccount) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials_encrypted FROM notification_smsaccount WHERE id = %s", [account.pk])
        (value,) = cursor.fetchone()
    return str(value)


def test_a_company_without_an_account_sends_through_the_platforms(sms_platform, africastalking):
    backend, sender_id = sms_backend_for(company_id=uuid.uuid4())
    backend.send(to=NUMBER, text="Hi", sender_id=sender_id, report_url="")

    assert (backend.name, backend.company_id, sender_id) == ("africastalking", None, "BUSCO")
    assert [message["account"] for message in africastalking.messages()] == ["sandbox"]


def test_the_platform_may_send_through_twilio(sms_platform):
    sms_platform.SMS_BACKEND = "twilio"

    backend, _ = sms_backend_for(company_id=None)

    assert (backend.name, backend.base_url) == ("twilio", sms_platform.TWILIO_BASE_URL)


def test_a_company_with_its_own_account_sends_through_it_from_its_sender_id(sms_platform, africastalking):
    company_id = uuid.uuid4()
    africastalking.add_account(AT_VALUES["username"], AT_VALUES["api_key"])
    sms_account_save(company_id=company_id, backend="africastalking", sender_id="COASTLINE", values=AT_VALUES)

    backend, sender_id = sms_backend_for(company_id=company_id)
    backend.send(to=NUMBER, text="Hi", sender_id=sender_id, report_url="")

    assert (backend.company_id, sender_id) == (company_id, "COASTLINE")
    assert [(message["account"], message["from"]) for message in africastalking.messages()] == [
        ("coastline", "COASTLINE")]


def test_a_disabled_account_leaves_the_company_on_the_platforms(sms_platform):
    company_id = uuid.uuid4()
    sms_account_save(company_id=company_id, backend="twilio", sender_id="+15005550006", values=TWILIO_VALUES,
                     enabled=False)

    backend, sender_id = sms_backend_for(company_id=company_id)

    assert (backend.name, backend.company_id, sender_id) == ("africastalking", None, "BUSCO")


def test_reports_go_to_the_url_of_the_account_that_sends(sms_platform, settings):
    settings.NOTIFICATION_REPORT_BASE_URL = "https://buses.example.org"
    own, other = uuid.uuid4(), uuid.uuid4()
    sms_account_save(company_id=own, backend="africastalking", sender_id="", values=AT_VALUES)
    sms_account_save(company_id=other, backend="twilio", sender_id="+15005550006", values=TWILIO_VALUES)
    platform, _ = sms_backend_for(company_id=None)
    company, _ = sms_backend_for(company_id=own)
    twilio, _ = sms_backend_for(company_id=other)

    assert report_url(backend=platform, company_id=None) == (
        "https://buses.example.org/api/v1/notifications/reports/africastalking/"
        + report_urls.africastalking_secret(company_id=None))
    assert report_url(backend=platform, company_id=own) == report_url(backend=platform, company_id=None)
    assert report_url(backend=company, company_id=own) == (
        f"https://buses.example.org/api/v1/notifications/reports/africastalking/{own}/"
        + report_urls.africastalking_secret(company_id=own))
    assert report_url(backend=twilio, company_id=other) == "https://buses.example.org/api/v1/notifications/reports/twilio"
    with pytest.raises(ValueError, match="another company's account"):
        report_url(backend=company, company_id=other)


def test_the_secrets_of_report_urls_differ_per_account():
    secrets = {report_urls.africastalking_secret(company_id=scope) for scope in (None, uuid.uuid4(), uuid.uuid4())}

    assert len(secrets) == 3


def test_credentials_are_encrypted_at_rest_and_read_back_for_sending(sms_platform):
    account = sms_account_save(company_id=uuid.uuid4(), backend="twilio", sender_id="+15005550006",
                               values=TWILIO_VALUES)

    stored = _raw_column(account)
    assert TWILIO_VALUES["auth_token"] not in stored and TWILIO_VALUES["account_sid"] not in stored
    assert "SECRET" not in stored
    assert credentials.decrypt(stored) == TWILIO_VALUES


def test_a_blank_secret_keeps_the_stored_one(sms_platform):
    company_id = uuid.uuid4()
    sms_account_save(company_id=company_id, backend="africastalking", sender_id="", values=AT_VALUES)

    account = sms_account_save(company_id=company_id, backend="africastalking", sender_id="BUSCO",
                               values={"username": "coastline2", "api_key": ""})

    assert credentials.decrypt(account.credentials_encrypted) == {**AT_VALUES, "username": "coastline2"}
    assert (account.sender_id, SmsAccount.objects.count()) == ("BUSCO", 1)


def test_another_gateway_needs_all_of_its_own_credentials(sms_platform):
    company_id = uuid.uuid4()
    sms_account_save(company_id=company_id, backend="africastalking", sender_id="", values=AT_VALUES)
    before = _raw_column(SmsAccount.objects.get())

    with pytest.raises(ValidationFailed) as refused:
        sms_account_save(company_id=company_id, backend="twilio", sender_id="+15005550006",
                         values={"account_sid": TWILIO_VALUES["account_sid"], "auth_token": ""})

    assert refused.value.fields == {"auth_token": ["Required."]}
    assert (SmsAccount.objects.get().backend, _raw_column(SmsAccount.objects.get())) == ("africastalking", before)


@pytest.mark.parametrize("backend, sender_id", [("africastalking", "Far-Too-Long-Sender"),
                                                ("africastalking", "BUS-CO"), ("twilio", ""),
                                                ("twilio", "0711000000"), ("twilio", "MG123")])
def test_a_sender_id_the_gateway_cannot_use_is_refused_and_nothing_saved(sms_platform, backend, sender_id):
    values = AT_VALUES if backend == "africastalking" else TWILIO_VALUES

    with pytest.raises(ValidationFailed) as refused:
        sms_account_save(company_id=uuid.uuid4(), backend=backend, sender_id=sender_id, values=values)

    assert list(refused.value.fields) == ["sender_id"]
    assert SmsAccount.objects.count() == 0


@pytest.mark.parametrize("backend, values", [("pigeon", {}), ("twilio", {**TWILIO_VALUES, "pin": "1"})])
def test_an_unknown_gateway_or_credential_is_refused(sms_platform, backend, values):
    with pytest.raises(ValidationFailed):
        sms_account_save(company_id=uuid.uuid4(), backend=backend, sender_id="+15005550006", values=values)

    assert SmsAccount.objects.count() == 0


def test_rotating_re_encrypts_every_account_under_the_first_key(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.NOTIFICATION_CREDENTIALS_KEYS = [old]
    account = sms_account_save(company_id=uuid.uuid4(), backend="twilio", sender_id="+15005550006",
                               values=TWILIO_VALUES)
    settings.NOTIFICATION_CREDENTIALS_KEYS = [new, old]
    out = StringIO()

    call_command("notification_rotate_credentials", stdout=out)

    assert out.getvalue() == "Re-encrypted the credentials of 1 SMS accounts.\n"
    settings.NOTIFICATION_CREDENTIALS_KEYS = [new]
    assert credentials.decrypt(_raw_column(account)) == TWILIO_VALUES


def test_a_key_dropped_before_rotating_fails_the_command_and_changes_nothing(settings):
    settings.NOTIFICATION_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    account = sms_account_save(company_id=uuid.uuid4(), backend="twilio", sender_id="+15005550006",
                               values=TWILIO_VALUES)
    before = _raw_column(account)
    settings.NOTIFICATION_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match="NOTIFICATION_CREDENTIALS_KEYS.*Nothing was re-encrypted"):
        call_command("notification_rotate_credentials", stdout=StringIO())
    with pytest.raises(CredentialsUnreadable):
        sms_backend_for(company_id=account.company_id)

    assert _raw_column(account) == before


def test_notification_keeps_keys_of_its_own_apart_from_payments(settings):
    settings.NOTIFICATION_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    settings.PAYMENT_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    account = sms_account_save(company_id=uuid.uuid4(), backend="twilio", sender_id="+15005550006",
                               values=TWILIO_VALUES)

    with pytest.raises(CredentialsUnreadable, match="PAYMENT_CREDENTIALS_KEYS"):
        CredentialsBox("PAYMENT_CREDENTIALS_KEYS").decrypt(account.credentials_encrypted)
