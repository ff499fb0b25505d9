"""The qr app's permissions, bundled into identity's platform-admin role after every migrate.

Only the platform runs the signing keys: a company admin never sees them.
"""

from __future__ import annotations

from apps.auth import api as auth_api

ROLE_GRANTS: dict[str, list[str]] = {"platform_admin": ["qr.view_qrsigningkey", "qr.rotate_qrsigningkey"]}


def grant_role_permissions(**_kwargs) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
