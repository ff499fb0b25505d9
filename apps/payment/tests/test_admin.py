"""Django admin of payment: provider accounts through the provider's credential form (secrets never shown), the
read-only money rows of one's own companies, and the actions that go through the services."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from django.contrib.messages import get_messages
from django.utils import timezone
from django.utils.html import escape

from apps.auth import api as auth_api
from apps.payment import callback_urls, credentials
from apps.payment.models import (
    LedgerEntry,
    Payable,
    Payment,
    ProviderAccount,
    ProviderEvent,
    ReconciliationItem,
    ReconciliationRun,
    Refund,
)
from apps.payment.providers import registry
from apps.payment.services import accounts, callbacks, cash, payables, payments, refunds
from apps.payment.services.reconciliation import account_day_reconcile, yesterday
from apps.payment.tests.flows import credits_of
from apps.payment.tests.momo_payments import momo_account, momo_payment, settled_at_provider
from tests.worlds.payment import build_payment_company, make_platform_admin

pytestmark = pytest.mark.django_db

ADD = "/admin/payment/provideraccount/add/"
ADD_MOMO = ADD + "?provider=mtn_momo"
SECRETS = {"api_key": "momo-api-key-SECRET-0001", "collection_subscription_key": "collection-key-SECRET-0002",
           "disbursement_subscription_key": "disbursement-key-SECRET-0003"}
CLEAR = {"api_user": "3f1f0b6e-9d8c-4c62-a0a4-7d5d3c0f9b11", "target_environment": "sandbox", "currency": "EUR"}
NEW_SECRET = "momo-api-key-NEW-SECRET-0009"
MODELS = ["provideraccount", "payment", "refund", "providerevent", "ledgerentry", "payable", "reconciliationrun",
          "reconciliationitem"]


@pytest.fixture
def company():
    return build_payment_company()


@pytest.fixture
def other():
    return build_payment_company()


def _form(company_id=None, **overrides) -> dict[str, str]:
    data = {"environment": "sandbox", "label": "Main", "active": "on", "conversion_rates": "",
            **{f"credential_{name}": value for name, value in {**SECRETS, **CLEAR}.items()}}
    if company_id is not None:
        data["company_id"] = str(company_id)
    return {**data, **overrides}


def _saved_account(company_id, **values) -> ProviderAccount:
    return accounts.account_save(company_id=company_id, provider="mtn_momo", environment="sandbox",
                                 values={**SECRETS, **CLEAR, **values}, label="Main")


def _change_url(account: ProviderAccount) -> str:
    return f"/admin/payment/provideraccount/{account.pk}/change/"


def _local_day(payment: Payment):
    return payment.created_at.astimezone(ZoneInfo("Africa/Nairobi")).date()


def _act(client, model: str, action: str, rows) -> tuple[int, list[str]]:
    """Run an admin action on rows of the list; the status of the answer and the messages shown after it."""
    response = client.post(f"/admin/payment/{model}/", {"action": action,
                                                       "_selected_action": [str(row.pk) for row in rows]})
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    client.get(f"/admin/payment/{model}/")  # shows (and so clears) the messages
    return response.status_code, shown


def test_a_company_admin_adds_an_account_choosing_the_provider_first(client, company, other):
    client.force_login(company.users["company_admin"])

    chooser = client.get(ADD)
    form_page = client.get(ADD_MOMO)
    added = client.post(ADD_MOMO, _form(company.company_id, provider="mpesa"))  # the provider posted is ignored

    assert chooser.status_code == 200
    assert chooser.context["providers"] == [("mpesa", "M-Pesa"), ("mtn_momo", "MTN MoMo"), ("paypal", "PayPal")]
    assert 'href="?provider=mtn_momo"' in chooser.content.decode()
    assert form_page.context["adminform"].form.fields["company_id"].choices == [
        (str(company.company_id), company.name)]
    assert added.status_code == 302
    account = ProviderAccount.objects.get()
    assert (account.company_id, account.provider, account.environment, account.label, account.active) == (
        company.company_id, "mtn_momo", "sandbox", "Main", True)
    assert credentials.decrypt(account.credentials_encrypted) == {**SECRETS, **CLEAR}
    assert [secret for secret in SECRETS.values() if secret in account.credentials_encrypted] == []


def test_the_form_has_the_chosen_providers_own_credential_fields(client, company):
    client.force_login(company.users["company_admin"])

    form_page = client.get(ADD + "?provider=paypal")
    added = client.post(ADD + "?provider=paypal", {
        "company_id": str(company.company_id), "environment": "production", "label": "", "active": "on",
        "conversion_rates": "KES=0.0077", "conversion_currency": "usd", "credential_client_id": "paypal-client-id",
        "credential_client_secret": "paypal-client-secret-0001", "credential_webhook_id": ""})

    form = form_page.context["adminform"].form
    assert [(name, type(form.fields[name].widget).__name__) for name in form.fields if name.startswith("credential_")] \
        == [("credential_client_id", "TextInput"), ("credential_client_secret", "PasswordInput"),
            ("credential_webhook_id", "TextInput")]
    assert added.status_code == 302
    account = ProviderAccount.objects.get()
    assert (account.provider, account.environment, account.conversion_rates, account.conversion_currency) == (
        "paypal", "production", {"KES": "0.0077"}, "USD")
    assert credentials.decrypt(account.credentials_encrypted) == {  # the webhook id comes with registration
        "client_id": "paypal-client-id", "client_secret": "paypal-client-secret-0001"}


def test_a_new_account_goes_only_to_a_company_where_the_user_manages_accounts(client, company, other):
    client.force_login(company.users["company_admin"])

    refused = client.post(ADD_MOMO, _form(other.company_id))

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["company_id"] == [
        f"Select a valid choice. {other.company_id} is not one of the available choices."]
    assert ProviderAccount.objects.count() == 0


def test_no_secret_appears_on_any_admin_page(client, company, mtn_momo_emulator, settings):
    account = momo_account(mtn_momo_emulator, settings, company_id=company.company_id)
    stored = credentials.decrypt(account.credentials_encrypted)
    secrets = [stored[field.name] for field in registry.provider("mtn_momo").credential_fields if field.secret]
    payment = momo_payment(company_id=company.company_id, subject="booking:1")
    settled_at_provider(mtn_momo_emulator, payment)
    payments.poll_one(payment.id)
    account_day_reconcile(account_id=account.id, day=_local_day(payment), started_by="user:auditor")
    client.force_login(company.users["company_admin"])
    blank_secrets = {f"credential_{field.name}": "" for field in registry.provider("mtn_momo").credential_fields
                     if field.secret}
    clear = {f"credential_{name}": stored[name] for name in CLEAR}

    changed = client.post(_change_url(account), _form(**blank_secrets, **clear, label="Renamed",
                                                      conversion_rates="KES=0.0077"))
    refused = client.post(_change_url(account), _form(**{**blank_secrets, **clear, "credential_api_key": NEW_SECRET},
                                                      conversion_rates="XXX=1"))
    urls = ["/admin/", "/admin/payment/", _change_url(account), f"/admin/payment/provideraccount/{account.pk}/history/",
            f"/admin/payment/payment/{payment.pk}/change/", *[f"/admin/payment/{model}/" for model in MODELS]]
    pages = [client.get(url) for url in urls]

    assert changed.status_code == 302
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["conversion_rates"] == [
        "Unknown currency 'XXX' in conversion rates."]
    assert [page.status_code for page in pages] == [200] * len(urls)
    assert [len(page.context["cl"].queryset) for page in pages[5:]] == [1, 1, 0, 0, 1, 1, 1, 0]
    html = "".join(page.content.decode() for page in [refused, *pages])
    assert [secret for secret in [*secrets, NEW_SECRET] if secret in html] == []
    change_page = pages[2].content.decode()
    assert [credentials.masked(secret) in change_page for secret in secrets] == [True] * len(secrets)
    assert credentials.masked(stored["api_key"]) == "••••••••1c"
    assert stored["api_user"] in change_page
    assert "Changed Label and Conversion rates." in pages[3].content.decode()
    account.refresh_from_db()
    assert credentials.decrypt(account.credentials_encrypted) == stored
    assert (account.label, account.conversion_rates) == ("Renamed", {"KES": "0.0077"})


def test_a_secret_entered_replaces_the_stored_one_and_blank_keeps_it(client, company):
    account = _saved_account(company.company_id)
    client.force_login(company.users["company_admin"])

    response = client.post(_change_url(account), _form(credential_api_key=NEW_SECRET,
                                                       credential_collection_subscription_key="",
                                                       credential_disbursement_subscription_key="",
                                                       credential_currency="UGX"))

    assert response.status_code == 302
    account.refresh_from_db()
    assert credentials.decrypt(account.credentials_encrypted) == {**SECRETS, **CLEAR, "api_key": NEW_SECRET,
                                                                  "currency": "UGX"}


def test_credentials_no_configured_key_opens_are_shown_unreadable_and_kept(client, company, settings):
    account = _saved_account(company.company_id)
    token = account.credentials_encrypted
    settings.PAYMENT_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]  # the key that encrypted them dropped
    client.force_login(company.users["company_admin"])

    page = client.get(_change_url(account))
    refused = client.post(_change_url(account), _form(label="Renamed"))

    assert page.status_code == 200
    assert "Unreadable with the configured keys." in page.content.decode()
    assert refused.context["adminform"].form.non_field_errors() == [
        "The stored credentials cannot be read with the configured PAYMENT_CREDENTIALS_KEYS; they cannot be "
        "changed until they can."]
    assert ProviderAccount.objects.filter(pk=account.pk).values_list("label", "credentials_encrypted").get() == (
        "Main", token)


def test_conversion_rates_are_edited_as_lines(client, company):
    account = _saved_account(company.company_id)
    client.force_login(company.users["company_admin"])

    saved = client.post(_change_url(account), _form(conversion_rates="KES=0.0077\r\n\r\nugx = 0.00025\r\n"))
    shown = client.get(_change_url(account))
    malformed = client.post(_change_url(account), _form(conversion_rates="KES"))
    negative = client.post(_change_url(account), _form(conversion_rates="KES=-1"))
    unknown_target = client.post(_change_url(account), _form(conversion_rates="KES=0.0077", conversion_currency="XYZ"))

    assert saved.status_code == 302
    assert ProviderAccount.objects.get(pk=account.pk).conversion_rates == {"KES": "0.0077", "UGX": "0.00025"}
    assert shown.context["adminform"].form.initial["conversion_rates"] == "KES=0.0077\nUGX=0.00025"
    assert malformed.context["adminform"].form.errors["conversion_rates"] == [
        'Line 1 is not "CURRENCY=rate" (KES=0.0077).']
    assert negative.context["adminform"].form.errors["conversion_rates"] == ["The rate for KES must be positive."]
    assert unknown_target.context["adminform"].form.errors["conversion_currency"] == ["Unknown currency 'XYZ'."]
    assert ProviderAccount.objects.get(pk=account.pk).conversion_rates == {"KES": "0.0077", "UGX": "0.00025"}


def test_a_company_admin_sees_and_changes_only_their_companys_accounts(client, company, other):
    mine, theirs = _saved_account(company.company_id), _saved_account(other.company_id)
    client.force_login(company.users["company_admin"])

    listed = client.get("/admin/payment/provideraccount/")
    opened = client.get(_change_url(theirs))
    posted = client.post(_change_url(theirs), _form(label="Hijacked"))

    assert list(listed.context["cl"].queryset) == [mine]
    assert (opened.status_code, posted.status_code) == (302, 302)  # the admin does not find another's row
    assert ProviderAccount.objects.get(pk=theirs.pk).label == "Main"


def test_who_may_only_look_sees_the_account_with_its_secrets_masked_and_no_form(client, company):
    account = _saved_account(company.company_id)
    auth_api.roles_grant_permissions(grants={"dispatcher": ["payment.view_provideraccount"]})
    client.force_login(company.users["dispatcher"])

    page = client.get(_change_url(account))
    posted = client.post(_change_url(account), _form(label="Changed"))

    html = page.content.decode()
    assert page.status_code == 200
    assert [name in html for name in ('name="credential_', 'name="label"', 'name="conversion_rates"')] == [
        False, False, False]
    assert [secret for secret in SECRETS.values() if secret in html] == []
    assert [credentials.masked(secret) in html for secret in SECRETS.values()] == [True, True, True]
    assert CLEAR["api_user"] in html
    assert posted.status_code == 403
    assert ProviderAccount.objects.get(pk=account.pk).label == "Main"


def test_every_list_shows_only_the_companys_own_rows(client, company, other):
    for owner in (company, other):
        _cash_refund(owner.company_id, f"booking:{owner.company_id}", 80000)
        payables.payable_register(company_id=owner.company_id, subject=f"hold:{owner.company_id}",
                                  amount_minor=100, currency="KES", expires_at=timezone.now() + timedelta(minutes=5))
        account_day_reconcile(account_id=_saved_account(owner.company_id).id, day=date(2026, 3, 10),
                              started_by="user:auditor")
    client.force_login(company.users["company_admin"])

    companies = {model: {row.company_id for row in client.get(f"/admin/payment/{model}/").context["cl"].queryset}
                 for model in ["provideraccount", "payment", "refund", "ledgerentry", "payable", "reconciliationrun"]}

    assert companies == dict.fromkeys(companies, {company.company_id})
    assert Payable.objects.count() == 2


def test_staff_without_payment_roles_cannot_open_the_accounts(client, company):
    _saved_account(company.company_id)
    pages = {}
    for role in ("dispatcher", "agent"):
        client.force_login(company.users[role])
        pages[role] = (client.get("/admin/payment/provideraccount/").status_code, client.get(ADD_MOMO).status_code)

    assert pages == {"dispatcher": (403, 403), "agent": (403, 403)}


def test_a_platform_admin_sees_every_account_and_adds_one_for_any_company(client, company, other):
    mine, theirs = _saved_account(company.company_id), _saved_account(other.company_id)
    client.force_login(make_platform_admin())

    listed = client.get("/admin/payment/provideraccount/")
    form_page = client.get(ADD_MOMO)

    assert set(listed.context["cl"].queryset) == {mine, theirs}
    assert {value for value, _name in form_page.context["adminform"].form.fields["company_id"].choices} >= {
        str(company.company_id), str(other.company_id)}


def test_a_second_active_account_with_a_provider_waits_until_the_first_is_deactivated(client, company):
    first = _saved_account(company.company_id)
    client.force_login(company.users["company_admin"])

    refused = client.post(ADD_MOMO, _form(company.company_id, label="Second"))
    deactivated = client.post(_change_url(first), {key: value for key, value in _form().items() if key != "active"})
    added = client.post(ADD_MOMO, _form(company.company_id, label="Second"))

    assert refused.context["adminform"].form.non_field_errors() == [
        "The company already has an active account with this provider; deactivate it first."]
    assert (deactivated.status_code, added.status_code) == (302, 302)
    assert list(ProviderAccount.objects.order_by("created_at").values_list("label", "active")) == [
        ("Main", False), ("Second", True)]


def test_asking_the_provider_now_settles_ones_own_pending_payments(client, company, other, mtn_momo_emulator,
                                                                   settings):
    momo_account(mtn_momo_emulator, settings, company_id=company.company_id)
    momo_account(mtn_momo_emulator, settings, company_id=other.company_id)
    mine = momo_payment(company_id=company.company_id, subject="booking:mine")
    theirs = momo_payment(company_id=other.company_id, subject="booking:theirs")
    for payment in (mine, theirs):
        settled_at_provider(mtn_momo_emulator, payment)
    client.force_login(company.users["company_admin"])

    asked = _act(client, "payment", "ask_provider_now", [mine, theirs])

    assert asked == (302, ["Asked the provider about 1 pending payment(s) (applied: 1)."])
    assert dict(Payment.objects.values_list("subject", "state")) == {"booking:mine": "succeeded",
                                                                     "booking:theirs": "pending"}
    assert credits_of(mine.id) == [("charge", 10050, "EUR")]
    assert credits_of(theirs.id) == []


def test_a_dispatcher_sees_payments_but_cannot_ask_the_provider(client, company, mtn_momo_emulator, settings):
    momo_account(mtn_momo_emulator, settings, company_id=company.company_id)
    payment = momo_payment(company_id=company.company_id, subject="booking:1")
    settled_at_provider(mtn_momo_emulator, payment)
    client.force_login(company.users["dispatcher"])

    listed = client.get("/admin/payment/payment/")
    asked = client.post("/admin/payment/payment/", {"action": "ask_provider_now",
                                                     "_selected_action": [str(payment.pk)]})

    assert list(listed.context["cl"].queryset) == [payment]
    assert listed.context["action_form"] is None  # no action this user may take
    assert asked.status_code == 200
    assert Payment.objects.get(pk=payment.pk).state == "pending"


def test_a_payments_page_shows_its_attempts_transitions_ledger_and_events(client, company, mtn_momo_emulator,
                                                                          settings):
    momo_account(mtn_momo_emulator, settings, company_id=company.company_id)
    payment = momo_payment(company_id=company.company_id, subject="booking:1")
    settled_at_provider(mtn_momo_emulator, payment)
    [callback] = mtn_momo_emulator.callbacks()
    event = callbacks.event_store(purpose="payment", target=payment.id,
                                  secret=callback_urls.secret("payment", payment.id),
                                  body=callback["body"].encode(), headers={"content-type": "application/json"})
    callbacks.event_process(event.id)
    client.force_login(company.users["company_admin"])

    page = client.get(f"/admin/payment/payment/{payment.pk}/change/").content.decode()
    event_page = client.get(f"/admin/payment/providerevent/{event.pk}/change/").content.decode()
    applied = client.get("/admin/payment/providerevent/", {"outcome__exact": "applied"})
    spoofed = client.get("/admin/payment/providerevent/", {"outcome__exact": "spoofed"})

    attempt = payment.attempts.get()
    entry = LedgerEntry.objects.get(payment=payment)
    assert [str(attempt.id) in page, entry.provider_txn in page, "user:test-seller" in page,
            "poll:" not in page] == [True, True, True, True]
    assert ProviderEvent.objects.get(pk=event.pk).outcome == "applied"
    assert f"<pre>{escape(callback['body'])}</pre>" in event_page
    assert (list(applied.context["cl"].queryset), list(spoofed.context["cl"].queryset)) == (
        [ProviderEvent.objects.get(pk=event.pk)], [])


def _cash_refund(company_id, subject: str, amount_minor: int) -> Refund:
    cash.cash_record(company_id=company_id, subject=subject, amount_minor=amount_minor, currency="KES",
                     collector="user:agent")
    refund = refunds.refund_request(subject=subject, key=f"cancel:{subject}", amount_minor=None, reason="Cancelled",
                                    requested_by="user:agent")
    assert refund is not None
    return refund


def test_a_cash_refund_is_marked_paid_out_by_the_user_for_their_company_only(client, company, other):
    mine = _cash_refund(company.company_id, "booking:mine", 80000)
    theirs = _cash_refund(other.company_id, "booking:theirs", 50000)
    admin_user = company.users["company_admin"]
    client.force_login(admin_user)

    paid_out = _act(client, "refund", "mark_paid_out_in_cash", [mine, theirs])

    assert paid_out == (302, ["1 refund(s) marked paid out in cash."])
    assert dict(Refund.objects.values_list("key", "state")) == {"cancel:booking:mine": "succeeded",
                                                                "cancel:booking:theirs": "awaiting_cash"}
    assert list(LedgerEntry.objects.filter(kind="refund").values_list(
        "company_id", "amount_minor", "currency", "collector")) == [
        (company.company_id, -80000, "KES", f"user:{admin_user.pk}")]


def test_the_ledger_list_totals_the_filtered_rows_per_currency(client, company, other):
    cash.cash_record(company_id=company.company_id, subject="booking:1", amount_minor=80000, currency="KES",
                     collector="user:agent")
    cash.cash_record(company_id=company.company_id, subject="booking:2", amount_minor=70000, currency="KES",
                     collector="device:pos-1")
    cash.cash_record(company_id=company.company_id, subject="booking:3", amount_minor=5000, currency="UGX",
                     collector="device:pos-1")
    refunds.refund_cash_paid(refund_id=refunds.refund_request(
        subject="booking:1", key="part", amount_minor=30000, reason="Seat", requested_by="user:agent").id,
        company_id=company.company_id, collector="user:agent")
    cash.cash_record(company_id=other.company_id, subject="booking:theirs", amount_minor=99900, currency="KES",
                     collector="user:agent")
    client.force_login(company.users["company_admin"])

    everything = client.get("/admin/payment/ledgerentry/")
    charges = client.get("/admin/payment/ledgerentry/", {"kind__exact": "charge"})
    device = client.get("/admin/payment/ledgerentry/", {"collector": "device:pos-1"})
    refunds_only = client.get("/admin/payment/ledgerentry/", {"kind__exact": "refund", "provider__exact": "cash"})

    assert everything.context["totals"] == ["1200.00 KES", "5000 UGX"]
    assert "<strong>1200.00 KES</strong>, <strong>5000 UGX</strong>" in everything.content.decode()
    assert charges.context["totals"] == ["1500.00 KES", "5000 UGX"]
    assert device.context["totals"] == ["700.00 KES", "5000 UGX"]
    assert refunds_only.context["totals"] == ["-300.00 KES"]


def test_reconcile_yesterday_and_re_query_from_the_admin(client, company, other, mtn_momo_emulator, settings):
    mine = momo_account(mtn_momo_emulator, settings, company_id=company.company_id)
    theirs = momo_account(mtn_momo_emulator, settings, company_id=other.company_id)
    payment = momo_payment(company_id=company.company_id, subject="booking:1")
    settled_at_provider(mtn_momo_emulator, payment)
    day_before = yesterday(company_id=company.company_id)
    admin_user = company.users["company_admin"]
    client.force_login(admin_user)

    reconciled = _act(client, "provideraccount", "reconcile_yesterday", [mine, theirs])
    account_day_reconcile(account_id=mine.id, day=_local_day(payment), started_by="user:auditor")
    [item] = ReconciliationItem.objects.filter(payment=payment)
    still = _act(client, "reconciliationitem", "requery", [item])
    payments.poll_one(payment.id)
    requeried = _act(client, "reconciliationitem", "requery", [item])

    assert reconciled == (302, ["Reconciled yesterday of 1 account(s): 0 payment(s) checked, 0 mismatched."])
    assert list(ReconciliationRun.objects.filter(started_by=f"user:{admin_user.pk}").values_list(
        "account_id", "day")) == [(mine.id, day_before)]
    assert still == (302, ["Re-queried 1 item(s): 0 resolved, 1 still mismatched."])
    assert requeried == (302, ["Re-queried 1 item(s): 1 resolved, 0 still mismatched."])
    item.refresh_from_db()
    assert (item.status, item.ledger_state, item.provider_state) == ("resolved", "credited", "succeeded")
