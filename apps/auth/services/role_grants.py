"""Other apps' permissions added to identity's seeded roles (each app grants its own from its AppConfig)."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from apps.auth.models import Role


def role_permissions_add(*, role: str, permissions: list[str]) -> None:
    """Add permissions ("app_label.codename", already created by Django) to a role's bundle. Idempotent."""
    found = []
    for name in permissions:
        app_label, _, codename = name.partition(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is None:
            raise LookupError(f"No permission {name}: declare it in the app's model Meta and migrate first.")
        found.append(permission)
    Role.objects.get(name=role).permissions.add(*found)
