"""The admin of companies' SMS accounts: a company admin sets their company's gateway, sender id and credentials
(saved encrypted, secrets never shown back, only masked), sees the report URL to paste at Africa's Talking, and
nothing of other companies."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from apps.notification.models import SmsAccount
from apps.notification.sms import credentials, report_urls
from apps.notification.sms.accounts import sms_account_save
from tests.worlds.payment import build_payment_company, make_platform_admin

pytestmark = pytest.mark.django_db

LIST = "/admin/notification/smsaccount/"
ADD = LIST + "add/"
API_KEY = "atsk-SECRET-api-key-000111"
AUTH_TOKEN = "twilio-SECRET-token-000222"
NEW_KEY = "atsk-SECRET-new-key-000333"


@pytest.fixture
def company():
    return build_payment_company()


@pytest.fixture
def other():
    return build_payment_company()


def _form(company_id=None, **overrides) -> dict[str, str]:
    data = {"backend": "africastalking", "sender_id": "COASTLINE", "enabled": "on",
            "africastalking__username": "coastline", "africastalking__api_key": API_KEY,
            "twilio__account_sid": "", "twilio__auth_token": ""}
    if company_id is not None:
        data["company_id"] = str(company_id)
    return {**data, **overrides}


def _change_url(account: SmsAccount) -> str:
    return f"{LIST}{account.pk}/change/"


def _saved(company_id) -> SmsAccount:
    return sms_account_save(company_id=company_id, backend="africastalking", sender_id="COASTLINE",
                            values={"username": "coastline", "api_key": API_KEY})


def test_a_company_admin_adds_their_companys_account_encrypted(client, company, other):
    client.force_login(company.users["company_admin"])

    page = client.get(ADD)
    added = client.post(ADD, _form(company.company_id))

    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form.fields["company_id"].choices == [(str(company.company_id), company.name)]
    assert [(name, type(form.fields[name].widget).__name__) for name in form.fields if "__" in name] == [
        ("africastalking__username", "TextInput"), ("africastalking__api_key", "PasswordInput"),
        ("twilio__account_sid", "TextInput"), ("twilio__auth_token", "PasswordInput")]
    assert added.status_code == 302
    account = SmsAccount.objects.get()
    assert (account.company_id, account.backend, account.sender_id, account.enabled) == (
        company.company_id, "africastalking", "COASTLINE", True)
    assert credentials.decrypt(account.credentials_encrypted) == {"username": "coastline", "api_key": API_KEY}
    assert API_KEY not in account.credentials_encrypted


def test_an_account_goes_only_to_a_company_the_user_manages(client, company, other):
    client.force_login(company.users["company_admin"])

    refused = client.post(ADD, _form(other.company_id))

    assert refused.status_code == 200
    assert "company_id" in refused.context["adminform"].form.errors
    assert SmsAccount.objects.count() == 0


def test_the_chosen_gateways_credentials_and_sender_are_checked(client, company):
    client.force_login(company.users["company_admin"])

    missing = client.post(ADD, _form(company.company_id, backend="twilio", sender_id="+15005550006"))
    bad_sender = client.post(ADD, _form(company.company_id, sender_id="Far-Too-Long-Sender"))

    assert missing.context["adminform"].form.errors == {"twilio__account_sid": ["Required."],
                                                        "twilio__auth_token": ["Required."]}
    assert list(bad_sender.context["adminform"].form.errors) == ["sender_id"]
    assert SmsAccount.objects.count() == 0


def test_a_second_account_for_the_company_is_refused(client, company):
    _saved(company.company_id)
    client.force_login(company.users["company_admin"])

    refused = client.post(ADD, _form(company.company_id))

    assert refused.context["adminform"].form.non_field_errors() == [
        "The company already has an SMS account; change that one."]
    assert SmsAccount.objects.count() == 1


def test_secrets_are_never_shown_only_masked_and_blank_keeps_them(client, company):
    account = _saved(company.company_id)
    client.force_login(company.users["company_admin"])

    kept = client.post(_change_url(account), _form(africastalking__api_key="", sender_id="BUSCO"))
    refused = client.post(_change_url(account), _form(africastalking__api_key=NEW_KEY, sender_id="No-Such-Sender!"))
    pages = [client.get(url) for url in (LIST, _change_url(account), f"{LIST}{account.pk}/history/")]

    assert (kept.status_code, refused.status_code) == (302, 200)
    assert [page.status_code for page in pages] == [200, 200, 200]
    html = "".join(page.content.decode() for page in [refused, *pages])
    assert (API_KEY in html, NEW_KEY in html) == (False, False)
    change_page = pages[1].content.decode()
    assert credentials.masked(API_KEY) in change_page
    assert credentials.masked(API_KEY) == "••••••••11"
    assert 'value="coastline"' in change_page  # the username is no secret
    assert report_urls.africastalking_report_url(company_id=company.company_id) in change_page
    account.refresh_from_db()
    assert (account.sender_id, credentials.decrypt(account.credentials_encrypted)) == (
        "BUSCO", {"username": "coastline", "api_key": API_KEY})


def test_switching_to_twilio_stores_only_twilios_credentials(client, company):
    account = _saved(company.company_id)
    client.force_login(company.users["company_admin"])

    response = client.post(_change_url(account), _form(
        backend="twilio", sender_id="+15005550006", africastalking__api_key="",
        twilio__account_sid="AC" + "7c" * 16, twilio__auth_token=AUTH_TOKEN))

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.backend, credentials.decrypt(account.credentials_encrypted)) == (
        "twilio", {"account_sid": "AC" + "7c" * 16, "auth_token": AUTH_TOKEN})


def test_members_see_only_their_companies_accounts_and_the_platform_admin_all(client, company, other):
    mine, theirs = _saved(company.company_id), _saved(other.company_id)
    client.force_login(company.users["company_admin"])
    listed = client.get(LIST).context["cl"].queryset
    foreign = client.get(_change_url(theirs))
    client.force_login(make_platform_admin())
    everything = client.get(LIST).context["cl"].queryset

    assert list(listed) == [mine]
    assert foreign.status_code == 302  # the admin's answer to a row outside the queryset: back to the index
    assert set(everything) == {mine, theirs}


def test_a_dispatcher_may_not_manage_sms_accounts(client, company):
    _saved(company.company_id)
    client.force_login(company.users["dispatcher"])

    assert (client.get(LIST).status_code, client.get(ADD).status_code) == (403, 403)


def test_credentials_no_configured_key_opens_are_shown_unreadable_and_kept(client, company, settings):
    account = _saved(company.company_id)
    token = account.credentials_encrypted
    settings.NOTIFICATION_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    client.force_login(company.users["company_admin"])

    page = client.get(_change_url(account))
    refused = client.post(_change_url(account), _form(sender_id="BUSCO"))

    assert "Unreadable with the configured keys." in page.content.decode()
    assert refused.status_code == 200
    account.refresh_from_db()
    assert (account.credentials_encrypted, account.sender_id) == (token, "COASTLINE")


def test_accounts_are_never_deleted(client, company):
    account = _saved(company.company_id)
    client.force_login(make_platform_admin())

    response = client.post(f"{LIST}{account.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert SmsAccount.objects.count() == 1
