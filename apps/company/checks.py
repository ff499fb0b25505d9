"""Business checks on plain values, shared by the services (each raises ValidationFailed on a field)."""

from __future__ import annotations

import re
from decimal import Decimal

from apps.company import timetable
from transport.errors import ValidationFailed

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


def currency(value: str) -> str:
    if not _CURRENCY.match(value):
        raise invalid("currency", "An ISO 4217 code of three capital letters, e.g. KES.")
    return value


def country(value: str) -> str:
    if not _COUNTRY.match(value):
        raise invalid("country", "An ISO 3166-1 alpha-2 code of two capital letters, e.g. KE.")
    return value


def timezone(value: str, field: str = "timezone") -> str:
    if not timetable.is_timezone(value):
        raise invalid(field, f"{value!r} is not an IANA timezone, e.g. Africa/Nairobi.")
    return value


def coordinates(latitude: Decimal, longitude: Decimal) -> tuple[Decimal, Decimal]:
    if not Decimal(-90) <= Decimal(latitude) <= Decimal(90):
        raise invalid("latitude", "Latitude lies between -90 and 90.")
    if not Decimal(-180) <= Decimal(longitude) <= Decimal(180):
        raise invalid("longitude", "Longitude lies between -180 and 180.")
    return Decimal(latitude), Decimal(longitude)


def percent(field: str, value: int) -> int:
    if not 0 <= value <= 100:
        raise invalid(field, "A percentage from 0 to 100.")
    return value


def weekdays(values: list[int]) -> list[int]:
    if not values or any(not 1 <= day <= 7 for day in values):
        raise invalid("weekdays", "ISO weekdays from 1 (Monday) to 7 (Sunday), at least one.")
    return sorted(set(values))
