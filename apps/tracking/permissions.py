"""Tracking's permissions and the identity roles that bundle them (added after every migrate)."""

from __future__ import annotations

from apps.auth import api as auth_api

VIEW_FLEET = "tracking.view_fleet"

ROLE_GRANTS: dict[str, list[str]] = {
    "platform_admin": [VIEW_FLEET],
    "company_admin": [VIEW_FLEET],
    "dispatcher": [VIEW_FLEET],
}


def grant_role_permissions(**_kwargs) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
