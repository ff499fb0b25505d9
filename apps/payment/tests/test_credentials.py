"""Rotating the credentials key: every account re-encrypted under the first key, so the old one can be dropped."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from apps.payment import credentials
from apps.payment.credentials import CredentialsUnreadable
from apps.payment.models import ProviderAccount
from apps.payment.services import accounts

pytestmark = pytest.mark.django_db

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
MOMO = {"api_user": "3f1f0b6e-9d8c-4c62-a0a4-7d5d3c0f9b11", "api_key": "momo-api-key-0123456789abcdef",
        "collection_subscription_key": "collection-key-fedcba9876543210",
        "disbursement_subscription_key": "disbursement-key-0a1b2c3d4e5f", "target_environment": "sandbox",
        "currency": "EUR"}


def _accounts_under_key_a(settings, count: int) -> list[ProviderAccount]:
    settings.PAYMENT_CREDENTIALS_KEYS = [KEY_A]
    return [accounts.account_save(company_id=uuid.uuid4(), provider="mtn_momo", environment="sandbox",
                                  values={**MOMO, "api_key": f"momo-api-key-{n}"}) for n in range(count)]


def _tokens() -> dict[uuid.UUID, str]:
    return dict(ProviderAccount.objects.values_list("id", "credentials_encrypted"))


def test_rotating_re_encrypts_every_account_under_the_first_key_so_the_old_one_can_be_dropped(settings):
    saved = _accounts_under_key_a(settings, 2)
    before = _tokens()
    settings.PAYMENT_CREDENTIALS_KEYS = [KEY_B, KEY_A]
    out = StringIO()

    call_command("payment_rotate_credentials", stdout=out)

    assert out.getvalue() == "Re-encrypted the credentials of 2 provider accounts.\n"
    after = _tokens()
    assert set(after) == {account.id for account in saved}
    assert all(after[account_id] != before[account_id] for account_id in after)
    settings.PAYMENT_CREDENTIALS_KEYS = [KEY_B]
    assert [credentials.decrypt(after[account.id]) for account in saved] == [
        {**MOMO, "api_key": "momo-api-key-0"}, {**MOMO, "api_key": "momo-api-key-1"}]
    settings.PAYMENT_CREDENTIALS_KEYS = [KEY_A]
    for token in after.values():
        with pytest.raises(CredentialsUnreadable):
            credentials.decrypt(token)


def test_before_rotating_the_old_key_alone_still_decrypts_and_the_new_alone_does_not(settings):
    _accounts_under_key_a(settings, 1)
    [token] = _tokens().values()

    settings.PAYMENT_CREDENTIALS_KEYS = [KEY_A]
    assert credentials.decrypt(token)["api_key"] == "momo-api-key-0"
    settings.PAYMENT_CREDENTIALS_KEYS = [KEY_B]
    with pytest.raises(CredentialsUnreadable):
        credentials.decrypt(token)


def test_a_key_dropped_before_rotating_fails_the_command_and_changes_nothing(settings):
    _accounts_under_key_a(settings, 2)
    before = _tokens()
    settings.PAYMENT_CREDENTIALS_KEYS = [KEY_B]
    out = StringIO()

    with pytest.raises(CommandError, match="Nothing was re-encrypted"):
        call_command("payment_rotate_credentials", stdout=out)

    assert out.getvalue() == ""
    assert _tokens() == before


def test_rotating_no_accounts_says_so(settings):
    settings.PAYMENT_CREDENTIALS_KEYS = [KEY_B, KEY_A]
    out = StringIO()

    call_command("payment_rotate_credentials", stdout=out)

    assert out.getvalue() == "Re-encrypted the credentials of 0 provider accounts.\n"
