"""Who may write a company's own wording of messages, and the identity roles that bundle it (added after every
migrate). Company admins write their companies' overrides; dispatchers may read them."""

from __future__ import annotations

from apps.auth import api as auth_api

MANAGE_TEMPLATES = "notification.manage_templates"

_ADMIN = [f"notification.{action}_templateoverride" for action in ("view", "add", "change", "delete")]

ROLE_GRANTS: dict[str, list[str]] = {
    "platform_admin": [MANAGE_TEMPLATES, *_ADMIN],
    "company_admin": [MANAGE_TEMPLATES, *_ADMIN],
    "dispatcher": ["notification.view_templateoverride"],
}


def grant_role_permissions(**_kwargs: object) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
