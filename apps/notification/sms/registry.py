"""The SMS gateways by name, and which account sends a company's messages: its own SmsAccount if it configured
one and enabled it, else the platform's (settings.SMS_BACKEND with the SMS_* / AFRICASTALKING_* / TWILIO_*
settings). Every account of a gateway reaches the same base URL (a sandbox is a username or an account SID)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from django.conf import settings

from apps.notification.sms import credentials, report_urls, selectors
from apps.notification.sms.africastalking import AfricasTalking
from apps.notification.sms.backends import SmsBackend
from apps.notification.sms.twilio import Twilio

BACKENDS: dict[str, type[SmsBackend]] = {cls.name: cls for cls in (AfricasTalking, Twilio)}


def backend_class(name: str) -> type[SmsBackend]:
    try:
        return BACKENDS[name]
    except KeyError:
        raise LookupError(f"No SMS gateway {name!r}; one of {', '.join(sorted(BACKENDS))}.") from None


def base_url(name: str) -> str:
    backend_class(name)
    return str(settings.AFRICASTALKING_BASE_URL if name == AfricasTalking.name else settings.TWILIO_BASE_URL)


def platform_credentials(name: str) -> dict[str, str]:
    if backend_class(name) is AfricasTalking:
        return {"username": settings.AFRICASTALKING_USERNAME, "api_key": settings.AFRICASTALKING_API_KEY}
    return {"account_sid": settings.TWILIO_ACCOUNT_SID, "auth_token": settings.TWILIO_AUTH_TOKEN}


def backend_build(*, name: str, values: Mapping[str, str], company_id: UUID | None) -> SmsBackend:
    return backend_class(name)(base_url=base_url(name), credentials=values, company_id=company_id)


def platform_backend() -> SmsBackend:
    name = settings.SMS_BACKEND
    return backend_build(name=name, values=platform_credentials(name), company_id=None)


def sms_backend_for(*, company_id: UUID | None) -> tuple[SmsBackend, str]:
    """The backend and sender id that send a message of `company_id` (None: a message of the platform's)."""
    account = None if company_id is None else selectors.sms_account_enabled(company_id=company_id)
    if account is None:
        return platform_backend(), settings.SMS_SENDER_ID
    backend = backend_build(name=account.backend, values=credentials.decrypt(account.credentials_encrypted),
                            company_id=account.company_id)
    return backend, account.sender_id


def report_url(*, backend: SmsBackend, company_id: UUID | None) -> str:
    """Where the gateway posts the reports of a message `backend` sends for `company_id`. The URL follows the
    account: a company's Africa's Talking account reports to that company's secret URL (the one its dashboard
    holds), the platform's to the platform's; Twilio's reports are signed, and all go to one URL."""
    if backend.company_id is not None and backend.company_id != company_id:
        raise ValueError("This backend is another company's account.")
    if backend.name == Twilio.name:
        return report_urls.twilio_report_url()
    return report_urls.africastalking_report_url(company_id=backend.company_id)
