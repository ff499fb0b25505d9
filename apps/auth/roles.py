"""The seeded roles and the identity permissions each bundles.

Seeded after every `migrate` (and after the test runner's flush) by a post_migrate receiver, so the
rows always exist. Other apps add their permissions to these roles with `api.role_grant_permissions`.
Code never checks these names; it checks permissions.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission

from apps.auth.models import Role

ROLES = [
    # name, label, is_global
    (Role.PLATFORM_ADMIN, "Platform admin", True),
    (Role.COMPANY_ADMIN, "Company admin", False),
    (Role.DISPATCHER, "Dispatcher", False),
    (Role.AGENT, "Ticket agent", False),
    (Role.DRIVER, "Driver", False),
    (Role.PASSENGER, "Passenger", True),
]

_COMPANY_ADMIN = [
    "view_members", "manage_members", "invite_staff", "manage_devices",
    # the Django admin's model permissions; admin.py narrows the rows to the admin's companies
    "view_membership", "view_device", "view_securityevent", "view_user",
]
GRANTS: dict[str, list[str]] = {
    Role.PLATFORM_ADMIN: [*_COMPANY_ADMIN, "view_contacts", "change_membership", "change_user",
                          "view_role"],
    Role.COMPANY_ADMIN: _COMPANY_ADMIN,
    Role.DISPATCHER: ["view_members"],
}


def seed_roles(**_kwargs) -> None:
    identity_permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="identity")}
    for name, label, is_global in ROLES:
        role, _ = Role.objects.get_or_create(name=name, defaults={"label": label, "is_global": is_global})
        role.permissions.add(*(identity_permissions[codename] for codename in GRANTS.get(name, [])))
