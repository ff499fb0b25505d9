"""The cast of payment's tests: bus companies with staff of every role, all let into the Django admin, and a
platform admin. People are made through identity's factories."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from uuid import UUID

from apps.auth.models import User
from apps.auth.tests.factories import make_user
from apps.company.models import Company

STAFF_ROLES = ["company_admin", "dispatcher", "agent"]
_numbers = itertools.count(1)


@dataclass
class PaymentCompany:
    company_id: UUID
    name: str
    users: dict[str, User]  # staff by role


def build_payment_company(*, timezone: str = "Africa/Nairobi") -> PaymentCompany:
    number = next(_numbers)
    company = Company.objects.create(name=f"Paying Coaches {number}", slug=f"paying-coaches-{number}",
                                     country="KE", currency="KES", timezone=timezone)
    users = {role: make_user(full_name=f"{company.name} {role}", roles={company.id: [role]}, is_staff=True)
             for role in STAFF_ROLES}
    return PaymentCompany(company_id=company.id, name=company.name, users=users)


def make_platform_admin() -> User:
    return make_user(full_name="Platform admin", global_roles=["platform_admin"], is_staff=True)
