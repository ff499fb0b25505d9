"""Tracker devices: registered by company staff, looked up by the identifier a tracker app sends."""

from __future__ import annotations

import re
from uuid import UUID

from django.db import IntegrityError, transaction

from apps.company import api as company_api
from apps.tracking.models import TrackerDevice
from apps.tracking.permissions import MANAGE_TRACKERS
from transport.errors import Conflict, ValidationFailed
from transport.principal import Principal

# what tracker apps put in `id`: a number (Traccar Client's default) or a name; no spaces or control bytes
IDENTIFIER_PATTERN = r"\A[A-Za-z0-9._:-]{1,64}\Z"  # anchored: RegexField searches
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)


def tracker_problems(*, company_id: UUID | None, bus_id: UUID | None, identifier: str | None) -> dict[str, list[str]]:
    """Field problems of a tracker to register (empty when none): a bus of that company, a usable identifier."""
    problems: dict[str, list[str]] = {}
    if bus_id is not None and company_id is not None and company_api.bus_company_id(bus_id=bus_id) != company_id:
        problems["bus_id"] = ["No such bus in this company."]
    if identifier is not None and not _IDENTIFIER.fullmatch(identifier):
        problems["identifier"] = ["Use 1 to 64 letters, digits, '.', '_', ':' or '-'."]
    return problems


def tracker_register(*, principal: Principal, company_id: UUID, bus_id: UUID, identifier: str,
                     name: str = "") -> TrackerDevice:
    """Register a tracker app on one of the company's buses. Needs tracking.manage_trackers there."""
    principal.require(MANAGE_TRACKERS, company_id=company_id)
    problems = tracker_problems(company_id=company_id, bus_id=bus_id, identifier=identifier)
    if problems:
        raise ValidationFailed("The tracker cannot be registered.", fields=problems)
    try:
        with transaction.atomic():
            return TrackerDevice.objects.create(company_id=company_id, bus_id=bus_id, identifier=identifier,
                                                name=name)
    except IntegrityError as exc:  # the identifier's unique index decides a race too
        raise Conflict("Another tracker already uses this identifier.", code="tracker_identifier_taken") from exc


def active_tracker(*, identifier: str) -> TrackerDevice | None:
    """The active tracker sending `identifier`, None for an unknown or inactive one."""
    return TrackerDevice.objects.filter(identifier=identifier, active=True).first()


def bus_tracker(*, bus_id: UUID) -> TrackerDevice | None:
    """The bus's first registered active tracker, None if it has none."""
    return TrackerDevice.objects.filter(bus_id=bus_id, active=True).order_by("created_at", "identifier").first()
