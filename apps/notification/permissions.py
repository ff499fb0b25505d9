"""Notification's permissions and the identity roles that bundle them (added after every migrate). Staff see their
company's deliveries and log in the admin; replaying a dead letter is for those who run the company's messages."""

from __future__ import annotations

from apps.auth import api as auth_api
from apps.notification.sms.permissions import ROLE_GRANTS as SMS_GRANTS
from apps.notification.templating.permissions import ROLE_GRANTS as TEMPLATE_GRANTS

REPLAY_DELIVERY = "notification.replay_delivery"

# the Django admin's model permissions: admin.py narrows deliveries to the member's companies; passengers'
# preferences belong to no company and are the platform's to see
ROLE_GRANTS: dict[str, list[str]] = {
    "platform_admin": [REPLAY_DELIVERY, "notification.view_delivery", "notification.view_contactpreference"],
    "company_admin": [REPLAY_DELIVERY, "notification.view_delivery"],
    "dispatcher": ["notification.view_delivery"],
}


def grant_role_permissions(**_kwargs: object) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
    auth_api.roles_grant_permissions(grants=TEMPLATE_GRANTS)
    auth_api.roles_grant_permissions(grants=SMS_GRANTS)
