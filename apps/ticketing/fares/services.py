"""Counting promo code uses exactly under concurrent bookings, and giving uses back when a hold comes to
nothing. The count is a conditional UPDATE (it never passes max_uses, and the row lock it takes queues
concurrent redemptions of one code, so the per-user count that follows is exact too)."""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from django.db import connection
from django.db.models import F, Q

from apps.ticketing.models import Booking, PromoCode, PromoRedemption
from transport.errors import ValidationFailed

_GIVE_BACK_SQL = "DELETE FROM ticketing_promoredemption WHERE booking_id = ANY(%s) RETURNING promo_id"


def promo_redeem(*, promo_id: UUID, booking: Booking, holder: str, discount_minor: int) -> PromoRedemption:
    """Count one use for this booking; call inside the booking's transaction (a refusal rolls it back)."""
    counted = (PromoCode.objects.filter(pk=promo_id)
               .filter(Q(max_uses__isnull=True) | Q(used__lt=F("max_uses")))
               .update(used=F("used") + 1))
    if not counted:
        raise ValidationFailed("This promo code has been used up.", code="promo_exhausted",
                               fields={"promo_code": ["Used up."]})
    per_user = PromoCode.objects.values_list("max_uses_per_user", flat=True).get(pk=promo_id)
    if per_user is not None and PromoRedemption.objects.filter(promo_id=promo_id, holder=holder).count() >= per_user:
        raise ValidationFailed("You have used this promo code as often as allowed.", code="promo_used_by_you",
                               fields={"promo_code": ["Already used."]})
    return PromoRedemption.objects.create(promo_id=promo_id, booking=booking, holder=holder,
                                          discount_minor=discount_minor)


def promo_uses_give_back(*, booking_ids: list[UUID]) -> int:
    """Give back the uses of bookings that lapsed or were dropped before payment; safe to repeat or race."""
    if not booking_ids:
        return 0
    # DELETE ... RETURNING: of two concurrent give-backs only one gets the row, so a use returns once
    with connection.cursor() as cursor:
        cursor.execute(_GIVE_BACK_SQL, [list(booking_ids)])
        promo_ids = Counter(row[0] for row in cursor.fetchall())
    for promo_id, uses in sorted(promo_ids.items()):
        PromoCode.objects.filter(pk=promo_id).update(used=F("used") - uses)
    return sum(promo_ids.values())
