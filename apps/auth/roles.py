"""The seeded roles and the identity permissions each bundles.

Seeded after every `migrate` (and after the test runner's flush) by a post_migrate receiver, so the
rows always exist. Other apps add their permissions to these roles with `api.roles_grant_permissions`.
Code never checks these names; it checks permissions.

Both run at every migrate, so they are set-based (a few queries whatever the number of grants) and tell
the other processes to reload the role table only when a row was really added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import Permission

from apps.auth.jwt import role_bundles
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
    existing = set(Role.objects.filter(name__in=[name for name, _, _ in ROLES]).values_list("name", flat=True))
    missing = [Role(name=name, label=label, is_global=is_global) for name, label, is_global in ROLES
               if name not in existing]
    if missing:
        Role.objects.bulk_create(missing, ignore_conflicts=True)  # a concurrent migrate may have made them
        role_bundles.changed()
    grants_add({name: [f"identity.{codename}" for codename in codenames] for name, codenames in GRANTS.items()})


def grants_add(grants: Mapping[str, Iterable[str]]) -> int:
    """Add permissions ("app_label.codename", already created by Django) to roles' bundles; return how many
    were new. Idempotent; LookupError names an unknown role or permission and adds nothing."""
    wanted = {(role, name) for role, names in grants.items() for name in names}
    names = {name for _, name in wanted}
    labels_codenames = [name.partition(".") for name in names]
    rows = Permission.objects.filter(content_type__app_label__in={label for label, _, _ in labels_codenames},
                                     codename__in={codename for _, _, codename in labels_codenames})
    permission_ids = {f"{label}.{codename}": pk
                      for pk, label, codename in rows.values_list("pk", "content_type__app_label", "codename")}
    role_ids = dict(Role.objects.filter(name__in=list(grants)).values_list("name", "pk"))
    if unknown := sorted(names - permission_ids.keys()):
        raise LookupError(f"No permission {', '.join(unknown)}: declare it in the app's model Meta and migrate first.")
    if unknown := sorted(grants.keys() - role_ids.keys()):
        raise LookupError(f"No role {', '.join(unknown)}.")
    through = Role.permissions.through
    pairs = {(role_ids[role], permission_ids[name]) for role, name in wanted}
    held = set(through.objects.filter(role_id__in=role_ids.values(), permission_id__in=permission_ids.values())
               .values_list("role_id", "permission_id"))
    new = sorted(pairs - held)
    if new:
        through.objects.bulk_create([through(role_id=role_id, permission_id=permission_id)
                                     for role_id, permission_id in new], ignore_conflicts=True)
        role_bundles.changed()
    return len(new)
