"""Prices computed on the server only, as a breakdown per seat: the fare of the stretch and seat class, the
company's fare rules (weekday, time of day, early booking, last minute), the passenger type's discount, and
a promo code. Integer minor units throughout; every percentage rounds in the passenger's favour."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Q

from apps.ticketing.models import Fare, FareRule, PassengerType, PromoCode
from apps.ticketing.trips import Stretch
from transport.errors import ValidationFailed

DISCOUNT_PERCENT = {PassengerType.ADULT: 0, PassengerType.CHILD: 50, PassengerType.STUDENT: 20}


@dataclass(frozen=True)
class Adjustment:
    name: str
    amount_minor: int  # negative for a discount


@dataclass(frozen=True)
class PriceLine:
    seat_label: str
    seat_class: str
    passenger_type: str
    fare_minor: int
    adjustments: tuple[Adjustment, ...]

    @property
    def price_minor(self) -> int:
        return self.fare_minor + sum(a.amount_minor for a in self.adjustments)


@dataclass(frozen=True)
class Quote:
    lines: tuple[PriceLine, ...]
    currency: str
    promo: PromoCode | None

    @property
    def total_minor(self) -> int:
        return sum(line.price_minor for line in self.lines)

    @property
    def promo_discount_minor(self) -> int:
        return promo_discount_minor((a.name, a.amount_minor) for line in self.lines for a in line.adjustments)


PROMO_ADJUSTMENT = "promo "  # the prefix of a promo code's adjustment name: "promo KARIBU10"


def promo_discount_minor(adjustments: Iterable[tuple[str, int]]) -> int:
    """What the promo code took off, from (name, amount) adjustments: a quote's, or a booking's frozen ones."""
    return -sum(amount for name, amount in adjustments if name.startswith(PROMO_ADJUSTMENT))


def _percent_of(amount: int, percent: int) -> int:
    """A surcharge rounds down, a discount rounds up (towards the passenger)."""
    return amount * percent // 100 if percent >= 0 else -((amount * -percent) // 100)


def fares_for(*, company_id: UUID, route_id: UUID, from_stop_id: UUID, to_stop_id: UUID) -> dict[str, tuple[int, str]]:
    """Seat class -> (amount_minor, currency) for one stretch of a route, as the route's own company set them."""
    rows = Fare.objects.filter(company_id=company_id, route_id=route_id, from_stop_id=from_stop_id,
                               to_stop_id=to_stop_id)
    return {row.seat_class: (row.amount_minor, row.currency) for row in rows}


def active_rules(*, company_id: UUID, route_id: UUID) -> list[FareRule]:
    """The company's active fare rules that may apply on the route (its own and the company-wide ones)."""
    return list(FareRule.objects.filter(Q(route_id__isnull=True) | Q(route_id=route_id), company_id=company_id,
                                        is_active=True).order_by("name"))


def rules_for(*, where: Stretch, now: datetime, rules: list[FareRule]) -> list[FareRule]:
    """Those of `rules` (active_rules of the trip's route) that apply to this departure when sold at `now`."""
    local = where.departs_at
    hours_before = (local - now).total_seconds() / 3600

    def applies(rule: FareRule) -> bool:
        return ((not rule.weekdays or local.isoweekday() in rule.weekdays)
                and (rule.departs_from is None or local.time() >= rule.departs_from)
                and (rule.departs_until is None or local.time() < rule.departs_until)
                and (rule.min_hours_before is None or hours_before >= rule.min_hours_before)
                and (rule.max_hours_before is None or hours_before < rule.max_hours_before))

    return [rule for rule in rules if applies(rule)]


def promo_find(*, company_id: UUID, code: str, now: datetime) -> PromoCode:
    promo = PromoCode.objects.filter(company_id=company_id, code=code.strip().upper()).first()
    if promo is None or not promo.valid_from <= now < promo.valid_until:
        raise ValidationFailed("This promo code is not valid.", code="promo_invalid",
                               fields={"promo_code": ["Unknown or not valid now."]})
    if promo.max_uses is not None and promo.used >= promo.max_uses:
        raise ValidationFailed("This promo code has been used up.", code="promo_exhausted",
                               fields={"promo_code": ["Used up."]})
    return promo


def quote(*, where: Stretch, currency: str, seats: list[tuple[str, str, str]], now: datetime,
          fares: dict[str, tuple[int, str]], rules: list[FareRule], promo_code: str | None = None) -> Quote:
    """Price each (seat label, seat class, passenger type) from the stretch's `fares` (fares_for) and the route's
    `rules` (active_rules); ValidationFailed when a class has no fare."""
    missing = sorted({seat_class for _, seat_class, _ in seats
                      if seat_class not in fares or fares[seat_class][1] != currency})
    if missing:
        raise ValidationFailed("This stretch has no fare for some seats.", code="no_fare",
                               fields={"passengers": [f"No fare for class {name}." for name in missing]})
    rules = rules_for(where=where, now=now, rules=rules)
    promo = promo_find(company_id=where.company_id, code=promo_code, now=now) if promo_code else None
    lines = [_line(label, seat_class, passenger_type, fares[seat_class][0], rules)
             for label, seat_class, passenger_type in seats]
    if promo is not None:
        lines = _with_promo(lines, promo)
    return Quote(lines=tuple(lines), currency=currency, promo=promo)


def _line(label: str, seat_class: str, passenger_type: str, fare: int, rules: list[FareRule]) -> PriceLine:
    adjustments = [Adjustment(rule.name, _percent_of(fare, rule.percent)) for rule in rules]
    subtotal = max(0, fare + sum(a.amount_minor for a in adjustments))
    discount = DISCOUNT_PERCENT[PassengerType(passenger_type)]
    if discount:
        adjustments.append(Adjustment(f"{passenger_type} discount", _percent_of(subtotal, -discount)))
    if fare + sum(a.amount_minor for a in adjustments) < 0:  # discounts stacked beyond the fare: it is free
        adjustments.append(Adjustment("floor", -(fare + sum(a.amount_minor for a in adjustments))))
    return PriceLine(seat_label=label, seat_class=seat_class, passenger_type=passenger_type, fare_minor=fare,
                     adjustments=tuple(adjustments))


def _with_promo(lines: list[PriceLine], promo: PromoCode) -> list[PriceLine]:
    name = f"{PROMO_ADJUSTMENT}{promo.code}"
    if promo.kind == PromoCode.Kind.PERCENT:
        return [_add(line, Adjustment(name, _percent_of(line.price_minor, -promo.value))) for line in lines]
    remaining = promo.value  # a fixed amount off the booking, spread over the seats in order
    priced = []
    for line in lines:
        off = min(remaining, line.price_minor)
        remaining -= off
        priced.append(_add(line, Adjustment(name, -off)) if off else line)
    return priced


def _add(line: PriceLine, adjustment: Adjustment) -> PriceLine:
    return PriceLine(seat_label=line.seat_label, seat_class=line.seat_class, passenger_type=line.passenger_type,
                     fare_minor=line.fare_minor, adjustments=(*line.adjustments, adjustment))
