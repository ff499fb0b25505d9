"""Demo data of payment for `make run`: sandbox accounts of each demo company with M-Pesa, MTN MoMo and PayPal,
holding the sandbox credentials the local emulators accept (and the public M-Pesa sandbox shortcode and
passkey). The MoMo sandbox collects EUR and PayPal is charged USD, so those accounts carry the company's demo
conversion rates. Runs after company's seeder; idempotent. Payment writes no history of its own: ticketing's
history asks payment.api to record the payments and refunds of its historic sales (services/history.py)."""

from __future__ import annotations

from apps.company import api as company_api
from apps.payment.emulators import mpesa_state, mtn_momo_state, paypal_state
from apps.payment.models import ProviderAccount
from apps.payment.services.accounts import account_save
from transport.demo import DemoCompany, DemoOutput, demo_company_seeder, demo_seeder

# demo rates only: what one unit of the company's currency is charged as
DEMO_RATES = {"mtn_momo": ({"KES": "0.0070", "UGX": "0.00025"}, "EUR"),
              "paypal": ({"KES": "0.0077", "UGX": "0.00027"}, "USD")}


def _sandbox_credentials() -> dict[str, dict[str, str]]:
    [(client_id, client_secret)] = paypal_state.CLIENTS.items()
    return {
        "mpesa": {"consumer_key": mpesa_state.SANDBOX_CONSUMER_KEY,
                  "consumer_secret": mpesa_state.SANDBOX_CONSUMER_SECRET,
                  "shortcode": mpesa_state.SANDBOX_SHORTCODE, "passkey": mpesa_state.SANDBOX_PASSKEY,
                  "initiator_name": mpesa_state.SANDBOX_INITIATOR,
                  "security_credential": mpesa_state.SANDBOX_SECURITY_CREDENTIAL},
        "mtn_momo": {"api_user": mtn_momo_state.SANDBOX_API_USER, "api_key": mtn_momo_state.SANDBOX_API_KEY,
                     "collection_subscription_key": mtn_momo_state.SANDBOX_COLLECTION_KEY,
                     "disbursement_subscription_key": mtn_momo_state.SANDBOX_DISBURSEMENT_KEY,
                     "target_environment": mtn_momo_state.SANDBOX_ENVIRONMENT,
                     "currency": mtn_momo_state.SANDBOX_CURRENCY},
        "paypal": {"client_id": client_id, "client_secret": client_secret},
    }


@demo_company_seeder(order=25)
def seed(company: DemoCompany, out: DemoOutput) -> None:
    if company.id not in set(company_api.company_ids()):
        return
    for provider, values in _sandbox_credentials().items():
        if ProviderAccount.objects.filter(company_id=company.id, provider=provider, active=True).exists():
            continue
        rates, currency = DEMO_RATES.get(provider, ({}, ""))
        account_save(company_id=company.id, provider=provider, environment="sandbox", values=values,
                     label="Demo sandbox", conversion_rates=rates, conversion_currency=currency)


@demo_seeder(order=25)
def notes(out: DemoOutput) -> None:
    out.add_note("Payments: every demo company takes M-Pesa (STK push and Paybill 174379), MTN MoMo and PayPal "
                 "through the local sandbox emulators; phone 254708374149 always approves.")
