"""What a provider is asked to charge for an amount owed: the same amount, or the company's recorded conversion.

The rule (README, "Payments"): an amount is charged exactly as owed when the provider takes its currency and
its precision (M-Pesa: whole shillings). Otherwise, if the company set a conversion rate on its account for the
owed currency, the charge is owed x rate, rounded UP to the charge currency's minor unit (never charging less
than owed, at most one minor unit more), and the rate is recorded on the payment. With neither, the payment is
refused with 422 `currency_not_supported` or `amount_not_chargeable`: never a silently rounded or converted
charge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from apps.payment.providers.base import PaymentProvider
from transport.errors import ValidationFailed
from transport.money import exponent


@dataclass(frozen=True)
class Charge:
    amount_minor: int
    currency: str
    rate: str  # "" when charged as owed


def charge_for(*, provider: PaymentProvider, charge_currencies: frozenset[str], amount_minor: int, currency: str,
               conversion_rates: Mapping[str, str], conversion_currency: str = "") -> Charge:
    if currency in charge_currencies:
        reason = provider.unchargeable_reason(amount_minor=amount_minor, currency=currency)
        if reason:
            raise ValidationFailed(reason, code="amount_not_chargeable")
        return Charge(amount_minor=amount_minor, currency=currency, rate="")
    rate = conversion_rates.get(currency)
    target = conversion_currency or (min(charge_currencies) if len(charge_currencies) == 1 else "")
    if rate is None or target not in charge_currencies:
        raise ValidationFailed(
            f"{provider.verbose_name} cannot charge {currency}, and the company set no conversion rate for it.",
            code="currency_not_supported")
    converted = converted_minor(amount_minor=amount_minor, currency=currency, rate=rate, target=target)
    reason = provider.unchargeable_reason(amount_minor=converted, currency=target)
    if reason:
        raise ValidationFailed(reason, code="amount_not_chargeable")
    return Charge(amount_minor=converted, currency=target, rate=rate)


def converted_minor(*, amount_minor: int, currency: str, rate: str, target: str, up: bool = True) -> int:
    """amount (in `currency` minor units) x rate, in `target` minor units, rounded up (a charge) or down (a
    partial refund)."""
    owed = Decimal(amount_minor).scaleb(-exponent(currency))
    charged = (owed * Decimal(rate)).scaleb(exponent(target))
    return int(charged.to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR))
