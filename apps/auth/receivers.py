"""Identity's own receivers: changes that make live access tokens' roles claims, or a device's cached
principal, stale.

A user's deactivation, deletion, memberships or global roles mark that user (their tokens are then
resolved from the database); a role's permissions mark the role table for reloading. Marks are made at
once and again after commit: a token issued by a concurrent refresh that read the old rows, before this
transaction committed, must not outlive the change on its claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from apps.auth.jwt import device_credentials, revocation, role_bundles
from apps.auth.models import Device, Membership, Role, User

_AFTER_CHANGE = ("post_add", "post_remove", "post_clear")


def _users_changed(user_ids: Iterable[UUID]) -> None:
    ids = sorted({str(user_id) for user_id in user_ids})
    for user_id in ids:
        revocation.user_changed(user_id=user_id)
    if connection.in_atomic_block:

        def again_after_commit() -> None:
            for user_id in ids:
                revocation.user_changed(user_id=user_id)

        transaction.on_commit(again_after_commit)


def user_saved(sender, instance: User, created: bool, **_kwargs) -> None:
    if not created and not instance.is_active:
        _users_changed([instance.pk])


def user_deleted(sender, instance: User, **_kwargs) -> None:
    _users_changed([instance.pk])


def membership_changed(sender, instance: Membership, **_kwargs) -> None:
    _users_changed([instance.user_id])


def membership_roles_changed(sender, instance, action: str, reverse: bool, pk_set, **_kwargs) -> None:
    """membership.roles.add(...) names the membership; role.memberships.add(...) names memberships by id."""
    if not reverse:
        if action in _AFTER_CHANGE:
            _users_changed([instance.user_id])
    elif action == "pre_clear":
        _users_changed(instance.memberships.values_list("user_id", flat=True))
    elif action in _AFTER_CHANGE and pk_set:
        _users_changed(Membership.objects.filter(pk__in=pk_set).values_list("user_id", flat=True))


def global_roles_changed(sender, instance, action: str, reverse: bool, pk_set, **_kwargs) -> None:
    """user.global_roles.add(...) names the user; role.global_holders.add(...) names users by id."""
    if not reverse:
        if action in _AFTER_CHANGE:
            _users_changed([instance.pk])
    elif action == "pre_clear":
        _users_changed(instance.global_holders.values_list("pk", flat=True))
    elif action in _AFTER_CHANGE and pk_set:
        _users_changed(pk_set)


def role_table_changed(sender, action: str = "post_add", **_kwargs) -> None:
    if action in _AFTER_CHANGE:
        role_bundles.changed()


def device_saved(sender, instance: Device, created: bool, **_kwargs) -> None:
    if not created:  # a new credential has nothing cached yet
        device_credentials.device_changed(credential_hash=instance.credential_hash)


def device_deleted(sender, instance: Device, **_kwargs) -> None:
    device_credentials.device_changed(credential_hash=instance.credential_hash)


def connect() -> None:
    """Called from IdentityConfig.ready(); dispatch_uid keeps a second call from connecting twice."""
    post_save.connect(user_saved, sender=User, dispatch_uid="identity.user_saved")
    post_delete.connect(user_deleted, sender=User, dispatch_uid="identity.user_deleted")
    post_save.connect(membership_changed, sender=Membership, dispatch_uid="identity.membership_saved")
    post_delete.connect(membership_changed, sender=Membership, dispatch_uid="identity.membership_deleted")
    post_save.connect(device_saved, sender=Device, dispatch_uid="identity.device_saved")
    post_delete.connect(device_deleted, sender=Device, dispatch_uid="identity.device_deleted")
    m2m_changed.connect(membership_roles_changed, sender=Membership.roles.through,
                        dispatch_uid="identity.membership_roles_changed")
    m2m_changed.connect(global_roles_changed, sender=User.global_roles.through,
                        dispatch_uid="identity.global_roles_changed")
    m2m_changed.connect(role_table_changed, sender=Role.permissions.through, dispatch_uid="identity.role_permissions")
    post_save.connect(role_table_changed, sender=Role, dispatch_uid="identity.role_saved")
    post_delete.connect(role_table_changed, sender=Role, dispatch_uid="identity.role_deleted")
    post_delete.connect(role_table_changed, sender=Permission, dispatch_uid="identity.permission_deleted")
