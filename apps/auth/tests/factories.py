"""Users with roles in companies, made through identity's own services."""

from __future__ import annotations

import itertools
from uuid import UUID

from apps.auth.models import Role, User
from apps.auth.services import members

PASSWORD = "correct horse battery staple 42"
_numbers = itertools.count(1)


def make_user(
    *, email: str | None = None, phone: str | None = None, full_name: str = "", password: str = PASSWORD,
    roles: dict[UUID, list[str]] | None = None, global_roles: list[str] | None = None, is_staff: bool = False,
) -> User:
    number = next(_numbers)
    if email is None and phone is None:
        email = f"user{number}@example.test"
    user = User.objects.create_user(email=email, phone=phone, password=password,
                                    full_name=full_name or f"User {number}", is_staff=is_staff)
    for company_id, names in (roles or {}).items():
        members.membership_grant(company_id=company_id, user_id=user.pk, roles=names, actor_id=None)
    if global_roles:
        user.global_roles.set(Role.objects.filter(name__in=global_roles))
    return user


def identity_only(company_permissions: dict) -> dict:
    """A principal's per-company permissions reduced to identity's own (other apps grant theirs too)."""
    return {company: frozenset(p for p in perms if p.startswith("identity.")) for company, perms in
            company_permissions.items()}
