"""Where the gateways post delivery reports, as they see it: the public origin NOTIFICATION_REPORT_BASE_URL
(behind a proxy the request's own host may differ; Twilio signs the URL it was given) and our path.

Africa's Talking's reports are unsigned, so its URL holds a secret: HMAC(NOTIFICATION_REPORT_SECRET,
"africastalking:<scope>"), the scope being the platform's account or a company's, nothing stored, compared in
constant time. Africa's Talking takes the URL once per account, in its dashboard: the admin of a company's account
shows the one to paste there. Twilio's reports are signed with the sending account's auth token: one URL for all.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from django.conf import settings
from django.urls import reverse

PLATFORM_SCOPE = "platform"


def africastalking_secret(*, company_id: UUID | None) -> str:
    scope = PLATFORM_SCOPE if company_id is None else str(company_id)
    digest = hmac.new(settings.NOTIFICATION_REPORT_SECRET.encode(), f"africastalking:{scope}".encode(),
                      hashlib.sha256)
    return digest.hexdigest()[:40]


def africastalking_secret_ok(*, company_id: UUID | None, given: str) -> bool:
    return hmac.compare_digest(africastalking_secret(company_id=company_id).encode(), given.encode())  # any text


def africastalking_report_url(*, company_id: UUID | None) -> str:
    """The platform account's URL (company_id None), or the URL of a company's own account."""
    secret = africastalking_secret(company_id=company_id)
    if company_id is None:
        path = reverse("v1:notification-report-africastalking", kwargs={"secret": secret})
    else:
        path = reverse("v1:notification-report-africastalking-company",
                       kwargs={"company_id": company_id, "secret": secret})
    return settings.NOTIFICATION_REPORT_BASE_URL + path


def twilio_report_url() -> str:
    return settings.NOTIFICATION_REPORT_BASE_URL + reverse("v1:notification-report-twilio")
