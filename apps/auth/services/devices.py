"""Devices: POS terminals and driver phones. A credential is shown once and stored only as its sha256."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apps.auth import audit
from apps.auth.models import Device, Membership, Role
from apps.auth.selectors import credential_hash
from transport.errors import Conflict, ValidationFailed
from transport.principal import Principal
from transport.tenancy import get_for

MANAGE_DEVICES = "identity.manage_devices"
CREDENTIAL_BYTES = 32


@dataclass(frozen=True)
class RegisteredDevice:
    device: Device
    credential: str  # shown to the admin once; never stored


@transaction.atomic
def device_register(*, principal: Principal, company_id: UUID, user_id: UUID, role: str, name: str) -> RegisteredDevice:
    principal.require(MANAGE_DEVICES, company_id=company_id)
    if role not in Role.DEVICE_ROLES:
        raise ValidationFailed("A device acts as an agent or a driver.",
                               fields={"role": [f"Choose from {', '.join(Role.DEVICE_ROLES)}."]})
    holds_role = Membership.objects.filter(company_id=company_id, user_id=user_id, roles__name=role).exists()
    if not holds_role:
        raise ValidationFailed(f"This user is not a {role} of this company.",
                               fields={"user_id": [f"Must be a member with the {role} role."]})
    credential = secrets.token_urlsafe(CREDENTIAL_BYTES)
    device = Device.objects.create(
        company_id=company_id, user_id=user_id, role=Role.objects.get(name=role), name=name.strip(),
        credential_hash=credential_hash(credential), created_by_id=principal.user_id,
    )
    audit.record(audit.Kind.DEVICE_REGISTERED, actor_id=principal.user_id, subject_user_id=user_id,
                 company_id=company_id, device_id=str(device.pk), role=role)
    return RegisteredDevice(device=device, credential=credential)


@transaction.atomic
def device_revoke(*, principal: Principal, device_id: UUID) -> Device:
    """Revoke at once: the next request with its credential is refused (nothing caches it)."""
    device = get_for(principal, Device.objects.all(), device_id, MANAGE_DEVICES, lock=True)
    if device.revoked_at is not None:
        raise Conflict("This device is already revoked.", code="device_revoked")
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at"])
    audit.record(audit.Kind.DEVICE_REVOKED, actor_id=principal.user_id, subject_user_id=device.user_id,
                 company_id=device.company_id, device_id=str(device.pk))
    return device


def devices_revoke_for_member(*, company_id: UUID, user_id: UUID, actor_id: UUID | None) -> int:
    now = timezone.now()
    revoked = list(Device.objects.filter(company_id=company_id, user_id=user_id, revoked_at__isnull=True))
    for device in revoked:
        device.revoked_at = now
        device.save(update_fields=["revoked_at"])
        audit.record(audit.Kind.DEVICE_REVOKED, actor_id=actor_id, subject_user_id=user_id,
                     company_id=company_id, device_id=str(device.pk), reason="member_removed")
    return len(revoked)
