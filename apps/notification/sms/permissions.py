"""The permissions of SMS accounts and the identity roles that bundle them (added after every migrate)."""

from __future__ import annotations

from apps.auth import api as auth_api

MANAGE_SMS_ACCOUNTS = "notification.manage_sms_accounts"

_ADMIN = [MANAGE_SMS_ACCOUNTS, "notification.view_smsaccount", "notification.add_smsaccount",
          "notification.change_smsaccount"]

ROLE_GRANTS: dict[str, list[str]] = {"platform_admin": _ADMIN, "company_admin": _ADMIN}


def grant_role_permissions(**_kwargs: object) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
