"""Two companies with a member of every role, a passenger, a platform admin and a device: the cast of
the permission matrix and the tenant isolation tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from apps.auth import api
from apps.auth.models import Device, User
from apps.auth.services import devices
from apps.auth.tests.factories import make_user

COMPANY_ROLES = ["company_admin", "dispatcher", "agent", "driver"]


@dataclass
class World:
    company_a: uuid.UUID
    company_b: uuid.UUID
    users: dict[str, User]  # by role, all in company A, plus "passenger", "platform_admin", "admin_b"
    target_member: User  # a driver of company A that mutating calls act on
    target_device: Device  # a device of company A
    device_credential: str  # an agent's POS terminal of company A


def build_world() -> World:
    company_a, company_b = uuid.uuid4(), uuid.uuid4()
    users = {role: make_user(full_name=f"A {role}", roles={company_a: [role]}) for role in COMPANY_ROLES}
    users["passenger"] = make_user(full_name="Passenger")
    users["platform_admin"] = make_user(full_name="Platform admin", global_roles=["platform_admin"])
    users["admin_b"] = make_user(full_name="B admin", roles={company_b: ["company_admin"]})
    target_member = make_user(full_name="A target driver", roles={company_a: ["driver"]})
    admin = api.principal_for_user(user_id=users["company_admin"].pk)
    target_device = devices.device_register(principal=admin, company_id=company_a, user_id=target_member.pk,
                                            role="driver", name="Target phone").device
    pos = devices.device_register(principal=admin, company_id=company_a, user_id=users["agent"].pk,
                                  role="agent", name="Counter POS")
    return World(company_a=company_a, company_b=company_b, users=users, target_member=target_member,
                 target_device=target_device, device_credential=pos.credential)
