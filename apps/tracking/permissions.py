"""Tracking's permissions and the identity roles that bundle them (added after every migrate)."""

from __future__ import annotations

from apps.auth import api as auth_api

MANAGE_TRACKERS = "tracking.manage_trackers"
VIEW_FLEET = "tracking.view_fleet"

# the Django admin's model permissions: admin.py narrows the rows to the member's companies
_ADMIN_TRACKERS = [f"tracking.{action}_trackerdevice" for action in ("view", "add", "change", "delete")]

ROLE_GRANTS: dict[str, list[str]] = {
    "platform_admin": [MANAGE_TRACKERS, VIEW_FLEET, "tracking.view_trackerdevice"],
    "company_admin": [MANAGE_TRACKERS, VIEW_FLEET, *_ADMIN_TRACKERS],
    "dispatcher": [MANAGE_TRACKERS, VIEW_FLEET, *_ADMIN_TRACKERS],
    "driver": [VIEW_FLEET],
}


def grant_role_permissions(**_kwargs: object) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
