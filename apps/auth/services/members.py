"""Company memberships: grant roles, change them, remove a member. Every change goes to the security log."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db import transaction

from apps.auth import audit
from apps.auth.models import Membership, Role, User
from apps.auth.services.company_admins import admins_lock, last_admin_refuse
from apps.auth.services.devices import devices_revoke_for_member
from transport.errors import Conflict, NotFound, ValidationFailed
from transport.principal import Principal

MANAGE_MEMBERS = "identity.manage_members"


def company_roles(names: Iterable[str]) -> list[Role]:
    """The roles named, all of which must be per-company roles; at least one."""
    wanted = sorted(set(names))
    unknown = [name for name in wanted if name not in Role.COMPANY_ROLES]
    if not wanted or unknown:
        raise ValidationFailed("Give one or more company roles.",
                               fields={"roles": [f"Choose from {', '.join(Role.COMPANY_ROLES)}."]})
    return list(Role.objects.filter(name__in=wanted))


def _change(membership: Membership, roles: list[Role], *, actor_id: UUID | None, before: list[str]) -> Membership:
    membership.roles.set(roles)
    audit.record(audit.Kind.ROLES_CHANGED, actor_id=actor_id, subject_user_id=membership.user_id,
                 company_id=membership.company_id, before=before, after=sorted(r.name for r in roles))
    return membership


@transaction.atomic
def membership_grant(*, company_id: UUID, user_id: UUID, roles: Iterable[str], actor_id: UUID | None) -> Membership:
    """Add roles to a user in a company (creating the membership). Callers have checked the permission."""
    chosen = company_roles(roles)
    if not User.objects.filter(pk=user_id).exists():
        raise NotFound("No such user.")
    membership, _ = Membership.objects.select_for_update().get_or_create(user_id=user_id, company_id=company_id)
    before = sorted(membership.roles.values_list("name", flat=True))
    merged = {role.pk: role for role in [*membership.roles.all(), *chosen]}
    return _change(membership, list(merged.values()), actor_id=actor_id, before=before)


@transaction.atomic
def company_founder_grant(*, company_id: UUID, user_id: UUID) -> Membership:
    """The creator of a new company becomes its company admin; a company with members already is not claimed."""
    if Membership.objects.select_for_update().filter(company_id=company_id).exists():
        raise Conflict("This company already has members.", code="company_has_members")
    return membership_grant(company_id=company_id, user_id=user_id, roles=[Role.COMPANY_ADMIN], actor_id=user_id)


def _member(*, principal: Principal, company_id: UUID, user_id: UUID) -> Membership:
    principal.require(MANAGE_MEMBERS, company_id=company_id)
    admins_lock(company_ids=[company_id])  # before the member's own row, as every writer does
    membership = Membership.objects.select_for_update().filter(company_id=company_id, user_id=user_id).first()
    if membership is None:
        raise NotFound("No such member in this company.")
    return membership


@transaction.atomic
def member_roles_set(*, principal: Principal, company_id: UUID, user_id: UUID, roles: Iterable[str]) -> Membership:
    """Replace a member's roles. Takes effect on their next request."""
    membership = _member(principal=principal, company_id=company_id, user_id=user_id)
    chosen = company_roles(roles)
    if Role.COMPANY_ADMIN not in {role.name for role in chosen}:
        last_admin_refuse(user_id=user_id, company_ids=[company_id])
    before = sorted(membership.roles.values_list("name", flat=True))
    return _change(membership, chosen, actor_id=principal.user_id, before=before)


@transaction.atomic
def member_remove(*, principal: Principal, company_id: UUID, user_id: UUID) -> None:
    """Take a user out of a company, and revoke the devices they used for it."""
    membership = _member(principal=principal, company_id=company_id, user_id=user_id)
    last_admin_refuse(user_id=user_id, company_ids=[company_id])
    before = sorted(membership.roles.values_list("name", flat=True))
    membership.delete()
    audit.record(audit.Kind.MEMBER_REMOVED, actor_id=principal.user_id, subject_user_id=user_id,
                 company_id=company_id, before=before)
    devices_revoke_for_member(company_id=company_id, user_id=user_id, actor_id=principal.user_id)
