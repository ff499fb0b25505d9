"""The qr app's permissions, bundled into identity's platform-admin role after every migrate.

Only the platform runs the signing keys: a company admin never sees them.
"""

from __future__ import annotations

from apps.auth import api as auth_api

ROLE_GRANTS: dict[str, list[str]] = {"platform_admin": ["qr.view_qrsigningkey", "qr.rotate_qrsigningkey"]}


def grant_role_permissions(**_kwargs) -> None:
    for role, permissions in ROLE_GRANTS.items():
        auth_api.role_grant_permissions(role=role, permissions=permissions)
