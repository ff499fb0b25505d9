"""The published interface of identity: keyword-only functions returning frozen dataclasses.

Other apps add their permissions to roles with `roles_grant_permissions`, called from a post_migrate
receiver in their AppConfig.ready (Django creates an app's permissions in post_migrate):

    post_migrate.connect(lambda **kw: auth_api.roles_grant_permissions(
        grants={"agent": ["ticketing.sell_ticket"]}), sender=self, weak=False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from django.db import models, transaction
from guardian.shortcuts import assign_perm, remove_perm

from apps.auth import selectors
from apps.auth.jwt import claims, device_credentials
from apps.auth.jwt.tokens import verified_access_claims
from apps.auth.models import User
from apps.auth.roles import grants_add
from apps.auth.services import account_tokens, members
from apps.auth.services.account_tokens import AccountLink as AccountLink  # published: account_link returns it
from transport.errors import NotAuthenticated, NotFound, PermissionDenied
from transport.principal import Principal, PrincipalKind

MANAGE_MEMBERS = "identity.manage_members"
SEND_ACCOUNT_LINKS = account_tokens.SEND_ACCOUNT_LINKS
VIEW_MEMBERS = "identity.view_members"
VIEW_CONTACTS = "identity.view_contacts"


@dataclass(frozen=True)
class Member:
    user_id: UUID
    full_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Contact:
    user_id: UUID
    full_name: str
    email: str | None
    phone: str | None
    is_active: bool


def principal_for_user(*, user_id: UUID) -> Principal:
    """The principal of an active user, resolved from the database now (roles changes show at once)."""
    user = selectors.active_user(user_id=user_id)
    if user is None:
        raise NotAuthenticated("No such active user.")
    return selectors.user_principal(user=user)


def principal_from_access_token(*, token: str) -> Principal:
    """The principal a bearer access token stands for (from its roles claim while its user has not changed
    since it was issued); NotAuthenticated for any bad token or a user who may no longer act."""
    payload = verified_access_claims(token)
    found = None if payload is None else claims.principal_for_token(payload)
    if found is None:
        raise NotAuthenticated("The token is not valid.", code="token_not_valid")
    return found[0]


def principal_from_device_credential(*, credential: str) -> Principal:
    principal = device_credentials.principal_for_credential(credential)
    if principal is None:
        raise NotAuthenticated("The device credential is not valid.", code="device_not_valid")
    return principal


def device_in_company(*, company_id: UUID, device_id: UUID, permission: str | None = None) -> bool:
    """True if the device belongs to the company, is not revoked, its user is active and (when `permission`
    is given) it holds that permission there now: how staff pointing at a device (e.g. allotting seats to a
    POS terminal) learn it may receive them. Another company's device is simply not "in" this one."""
    device = selectors.company_device(company_id=company_id, device_id=device_id)
    if device is None:
        return False
    return permission is None or selectors.device_principal(device=device).has(permission, company_id=company_id)


def has_object_permission(*, principal: Principal, permission: str, obj: models.Model, company_id: UUID) -> bool:
    """True if the principal holds `permission` in the object's company, or on this object alone (guardian).

    Tenancy first: an object of a company the principal has no standing in is never allowed.
    """
    if not principal.can_see_company(company_id):
        return False
    if principal.has(permission, company_id=company_id):
        return True
    if principal.kind not in (PrincipalKind.USER, PrincipalKind.DEVICE) or principal.user_id is None:
        return False
    user = selectors.active_user(user_id=principal.user_id)
    return user is not None and user.has_perm(permission, obj)


def require_object_permission(*, principal: Principal, permission: str, obj: models.Model, company_id: UUID) -> None:
    if not principal.is_authenticated:
        raise NotAuthenticated()
    if not principal.can_see_company(company_id):
        raise NotFound()
    if not has_object_permission(principal=principal, permission=permission, obj=obj, company_id=company_id):
        raise PermissionDenied(f"Missing permission {permission} on this object.")


def object_permission_grant(
    *, principal: Principal, user_id: UUID, permission: str, obj: models.Model, company_id: UUID
) -> None:
    """Let one member act on one object (e.g. a dispatcher on some routes). Needs identity.manage_members."""
    principal.require(MANAGE_MEMBERS, company_id=company_id)
    user = _member_user(company_id=company_id, user_id=user_id)
    assign_perm(permission, user, obj)


def object_permission_revoke(
    *, principal: Principal, user_id: UUID, permission: str, obj: models.Model, company_id: UUID
) -> None:
    principal.require(MANAGE_MEMBERS, company_id=company_id)
    user = _member_user(company_id=company_id, user_id=user_id)
    remove_perm(permission, user, obj)


def _member_user(*, company_id: UUID, user_id: UUID) -> User:
    user = selectors.member_user(company_id=company_id, user_id=user_id)
    if user is None:
        raise NotFound("No such member in this company.")
    return user


def company_members(*, principal: Principal, company_id: UUID, role: str | None = None) -> list[Member]:
    found = selectors.company_members(principal=principal, company_id=company_id, role=role)
    return [Member(user_id=m.user_id, full_name=m.user.full_name,
                   roles=tuple(sorted(r.name for r in m.roles.all()))) for m in found]


def user_contact(*, principal: Principal, user_id: UUID) -> Contact:
    """Contact details for a message to a user: the user themself, or a holder of identity.view_contacts."""
    if principal.user_id != user_id:
        principal.require(VIEW_CONTACTS)
    user = selectors.user_by_id(user_id=user_id)
    if user is None:
        raise NotFound("No such user.")
    return Contact(user_id=user.pk, full_name=user.full_name, email=user.email, phone=user.phone,
                   is_active=user.is_active)


def membership_grant(*, principal: Principal, company_id: UUID, user_id: UUID, roles: list[str]) -> None:
    """Give a user roles in a company. Needs identity.manage_members there."""
    principal.require(MANAGE_MEMBERS, company_id=company_id)
    members.membership_grant(company_id=company_id, user_id=user_id, roles=roles, actor_id=principal.user_id)


@transaction.atomic
def company_creator_grant(*, principal: Principal, company_id: UUID) -> None:
    """The company app calls this right after creating a company: its creator becomes its company admin.

    Only a user may create, and only a company nobody belongs to yet can be claimed this way.
    """
    if principal.kind is not PrincipalKind.USER or principal.user_id is None:
        raise PermissionDenied("Only a signed-in user founds a company.")
    members.company_founder_grant(company_id=company_id, user_id=principal.user_id)


def role_grant_permissions(*, role: str, permissions: list[str]) -> None:
    """Add permissions ("app_label.codename", already created by Django) to one role's bundle. Idempotent."""
    grants_add({role: permissions})


def roles_grant_permissions(*, grants: Mapping[str, Sequence[str]]) -> None:
    """Add permissions to several roles' bundles at once, in a few queries (for an app's post_migrate)."""
    grants_add(grants)


def account_link(*, principal: Principal, token_id: UUID) -> AccountLink:
    """The single-use link of a pending invitation (`staff_invited.invitation_id`) or password reset
    (`password_reset_requested.reset_id`), derived at send time: the events never carry it. The same
    link each time it is asked for, until it is used or expires; NotFound then (nothing to send).
    Needs identity.send_account_links (the notification app's system principal)."""
    return account_tokens.account_link(principal=principal, token_id=token_id)
