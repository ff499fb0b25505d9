"""A company always keeps an admin: removing the last one (their membership, their admin role, or their
account) is refused, or nobody could manage the company's members again.

Safe under concurrency: a writer first locks the admin memberships of the companies concerned, in id order
(two removals never deadlock), and only then counts the admins who would remain, in a new statement, which
therefore sees what a removal that held the locks before it committed. Every writer that can take an admin
away locks these rows before any other membership row.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from apps.auth.models import Membership, Role
from transport.errors import Conflict


class LastCompanyAdmin(Conflict):
    code = "last_company_admin"
    title = "A company must keep an admin"


def _admin_memberships():
    return Membership.objects.filter(roles__name=Role.COMPANY_ADMIN)


def admins_lock(*, company_ids: Collection[UUID]) -> None:
    """Lock the companies' admin memberships until the transaction ends."""
    if company_ids:
        rows = _admin_memberships().filter(company_id__in=company_ids).order_by("pk").select_for_update(of=("self",))
        list(rows.values_list("pk", flat=True))


def admin_companies(*, user_id: UUID) -> list[UUID]:
    return list(_admin_memberships().filter(user_id=user_id).values_list("company_id", flat=True))


def last_admin_refuse(*, user_id: UUID, company_ids: Collection[UUID]) -> None:
    """Refuse if `user_id` is the only active admin left of any of these companies. Call it under admins_lock."""
    held = set(_admin_memberships().filter(user_id=user_id, company_id__in=company_ids)
               .values_list("company_id", flat=True))
    covered = set(_admin_memberships().filter(company_id__in=held, user__is_active=True).exclude(user_id=user_id)
                  .values_list("company_id", flat=True))
    if alone := sorted(held - covered, key=str):
        raise LastCompanyAdmin("This is the company's last admin: make another member admin first.",
                               fields={"user_id": [f"The only admin of company {company}." for company in alone]})
