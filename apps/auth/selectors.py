"""Reads of identity: who a user or device is, in which companies, with which permissions."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from uuid import UUID

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Concat

from apps.auth.models import Device, Membership, Role, User
from transport.principal import Principal, PrincipalKind

_PERMISSION_NAME = Concat(F("content_type__app_label"), Value("."), F("codename"), output_field=CharField())


def credential_hash(credential: str) -> str:
    return hashlib.sha256(credential.encode()).hexdigest()


def _user_permissions_sql() -> str:
    """One statement for a user's permissions: per company through memberships (a company shows even when
    its roles grant nothing yet), and everywhere through global roles and the passenger role.

    Written as SQL because it runs on every authenticated request and building it with the ORM costs
    more than running it. Identifiers come from the models' metadata; values are parameters.
    """
    membership = Membership._meta.db_table
    membership_roles = Membership.roles.through._meta.db_table
    role = Role._meta.db_table
    role_permissions = Role.permissions.through._meta.db_table
    global_roles = User.global_roles.through._meta.db_table
    return f"""
        SELECT m.company_id, ct.app_label, p.codename
        FROM {membership} m
        LEFT JOIN {membership_roles} mr ON mr.membership_id = m.id
        LEFT JOIN {role_permissions} rp ON rp.role_id = mr.role_id
        LEFT JOIN auth_permission p ON p.id = rp.permission_id
        LEFT JOIN django_content_type ct ON ct.id = p.content_type_id
        WHERE m.user_id = %(user)s
        UNION ALL
        SELECT NULL, ct.app_label, p.codename
        FROM {role} r
        JOIN {role_permissions} rp ON rp.role_id = r.id
        JOIN auth_permission p ON p.id = rp.permission_id
        JOIN django_content_type ct ON ct.id = p.content_type_id
        WHERE r.name = %(passenger)s OR r.id IN (SELECT gr.role_id FROM {global_roles} gr WHERE gr.user_id = %(user)s)
    """  # noqa: S608


_USER_PERMISSIONS_SQL = _user_permissions_sql()


def user_principal(*, user: User) -> Principal:
    """The principal of a user: every company they belong to with its roles' permissions, and global ones.
    One query."""
    with connection.cursor() as cursor:
        cursor.execute(_USER_PERMISSIONS_SQL, {"user": user.pk, "passenger": Role.PASSENGER})
        rows = cursor.fetchall()
    per_company: dict[UUID, set[str]] = defaultdict(set)
    everywhere: set[str] = set()
    for company_id, app_label, codename in rows:
        perms = everywhere if company_id is None else per_company[company_id]
        if codename:
            perms.add(f"{app_label}.{codename}")
    return _principal(kind=PrincipalKind.USER, id=user.pk, user_id=user.pk, name=str(user),
                      per_company=per_company, everywhere=everywhere)


def active_user(*, user_id: object) -> User | None:
    """The active user with this id (any malformed id is simply nobody). Raw SQL: it runs on every request."""
    try:
        user_id = UUID(str(user_id))
    except ValueError:
        return None
    found = list(User.objects.raw(_ACTIVE_USER_SQL, [user_id]))
    return found[0] if found else None


_ACTIVE_USER_SQL = f"SELECT * FROM {User._meta.db_table} WHERE id = %s AND is_active"  # noqa: S608


def device_by_credential(*, credential: str) -> Device | None:
    """An unrevoked device of an active user, with that user; None for anything else."""
    found = Device.objects.select_related("user").filter(
        credential_hash=credential_hash(credential), revoked_at__isnull=True, user__is_active=True
    )[:1]
    return next(iter(found), None)


def _device_permissions_sql() -> str:
    """A device's permissions: its role's, found only through its user's membership holding that role."""
    membership = Membership._meta.db_table
    membership_roles = Membership.roles.through._meta.db_table
    role_permissions = Role.permissions.through._meta.db_table
    return f"""
        SELECT ct.app_label, p.codename
        FROM {membership} m
        JOIN {membership_roles} mr ON mr.membership_id = m.id AND mr.role_id = %(role)s
        LEFT JOIN {role_permissions} rp ON rp.role_id = mr.role_id
        LEFT JOIN auth_permission p ON p.id = rp.permission_id
        LEFT JOIN django_content_type ct ON ct.id = p.content_type_id
        WHERE m.user_id = %(user)s AND m.company_id = %(company)s
    """  # noqa: S608


_DEVICE_PERMISSIONS_SQL = _device_permissions_sql()


def device_principal(*, device: Device) -> Principal:
    """A device acts in its company with its role's permissions, only while its user still holds that role
    there. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_DEVICE_PERMISSIONS_SQL,
                       {"role": device.role_id, "user": device.user_id, "company": device.company_id})
        rows = cursor.fetchall()
    per_company = {device.company_id: {f"{app}.{code}" for app, code in rows if code}} if rows else {}
    return _principal(kind=PrincipalKind.DEVICE, id=device.pk, user_id=device.user_id, name=device.name,
                      per_company=per_company, everywhere=set())


def _principal(
    *, kind: PrincipalKind, id: UUID, user_id: UUID, name: str,
    per_company: dict[UUID, set[str]], everywhere: set[str],
) -> Principal:
    return Principal(
        kind=kind,
        id=id,
        user_id=user_id,
        name=name,
        company_permissions={company: frozenset(perms) for company, perms in per_company.items()},
        global_permissions=frozenset(everywhere),
    )


def role_permissions_anywhere(*, user_id: UUID) -> set[str]:
    """Every permission a user holds through any role in any company or globally (for the Django admin)."""
    rows = (
        Permission.objects.filter(
            Q(identity_roles__memberships__user_id=user_id) | Q(identity_roles__global_holders=user_id)
        )
        .annotate(perm=_PERMISSION_NAME)
        .values_list("perm", flat=True)
        .distinct()
    )
    return set(rows)


VIEW_MEMBERS = "identity.view_members"
MANAGE_DEVICES = "identity.manage_devices"


def company_members(*, principal: Principal, company_id: UUID, role: str | None = None) -> QuerySet[Membership]:
    """A company's memberships with their users and roles, for a principal who may see them."""
    principal.require(VIEW_MEMBERS, company_id=company_id)
    memberships = Membership.objects.filter(company_id=company_id)
    if role:
        memberships = memberships.filter(roles__name=role)
    return memberships.select_related("user").prefetch_related("roles").order_by("user__full_name", "user_id")


def company_devices(*, principal: Principal, company_id: UUID) -> QuerySet[Device]:
    principal.require(MANAGE_DEVICES, company_id=company_id)
    return Device.objects.filter(company_id=company_id).select_related("role", "user").order_by("-created_at")


def user_memberships(*, user_id: UUID) -> list[tuple[UUID, list[str]]]:
    """(company_id, role names) for every company a user belongs to."""
    memberships = Membership.objects.filter(user_id=user_id).prefetch_related("roles").order_by("created_at")
    return [(m.company_id, sorted(role.name for role in m.roles.all())) for m in memberships]


def user_global_roles(*, user_id: UUID) -> list[str]:
    return sorted(Role.objects.filter(global_holders=user_id).values_list("name", flat=True))


def company_device(*, company_id: UUID, device_id: UUID) -> Device | None:
    """The device if it belongs to the company, is not revoked and its user is active."""
    return Device.objects.filter(pk=device_id, company_id=company_id, revoked_at__isnull=True,
                                 user__is_active=True).first()


def member_user(*, company_id: UUID, user_id: UUID) -> User | None:
    """The user if they are a member of the company."""
    membership = Membership.objects.select_related("user").filter(company_id=company_id, user_id=user_id).first()
    return None if membership is None else membership.user


def user_by_id(*, user_id: UUID) -> User | None:
    return User.objects.filter(pk=user_id).first()
