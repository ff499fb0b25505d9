"""Tenancy first: which companies a principal may read, and fetching one row of a tenant-owned model for it.

Another tenant's row answers NotFound (it does not exist for the caller); a row of the caller's own
company without the permission answers PermissionDenied.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models

from transport.errors import NotFound
from transport.principal import Principal

M = TypeVar("M", bound=models.Model)


def in_companies(rows: models.QuerySet[M], companies: frozenset[UUID] | None) -> models.QuerySet[M]:
    return rows if companies is None else rows.filter(company_id__in=companies)


def get_for(
    principal: Principal, rows: models.QuerySet[M], pk: object, permission: str | None, *, lock: bool = False
) -> M:
    """The row with this id if the caller holds `permission` in its company (tenancy checked first; with
    permission None, tenancy only: the caller checks what it needs)."""
    try:
        query = rows.select_for_update(of=("self",)) if lock else rows
        obj = query.get(pk=pk)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(f"No such {rows.model._meta.verbose_name}.") from None
    company_id: UUID = obj.company_id  # type: ignore[attr-defined]  # every tenant-owned row carries it
    if not principal.can_see_company(company_id):
        raise NotFound(f"No such {rows.model._meta.verbose_name}.")
    if permission is not None:
        principal.require(permission, company_id=company_id)
    return obj
