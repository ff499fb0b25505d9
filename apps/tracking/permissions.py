"""Tracking's permissions and the identity roles that bundle them (added after every migrate)."""

from __future__ import annotations

from apps.auth import api as auth_api

VIEW_FLEET = "tracking.view_fleet"
MANAGE_TRACKERS = "tracking.manage_trackers"
SEND_DISPATCH = "tracking.send_dispatch"

# the Django admin's model permissions: admin.py narrows the rows to the member's companies
_ADMIN_TRACKERS = [f"tracking.{action}_trackerdevice" for action in ("view", "add", "change", "delete")]
_ADMIN_DISPATCH = ["tracking.view_dispatchmessage"]

ROLE_GRANTS: dict[str, list[str]] = {
    "platform_admin": [VIEW_FLEET, MANAGE_TRACKERS, "tracking.view_trackerdevice", *_ADMIN_DISPATCH],
    "company_admin": [VIEW_FLEET, MANAGE_TRACKERS, SEND_DISPATCH, *_ADMIN_TRACKERS, *_ADMIN_DISPATCH],
    "dispatcher": [VIEW_FLEET, MANAGE_TRACKERS, SEND_DISPATCH, *_ADMIN_TRACKERS, *_ADMIN_DISPATCH],
}


def grant_role_permissions(**_kwargs: object) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
