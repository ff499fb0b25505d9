"""Money as integer minor units of an ISO 4217 currency: the exponent table, and exact text forms.

Nothing here rounds. A conversion between currencies is the caller's explicit decision (see
apps/payment/charging.py), never a side effect of formatting.
"""

from __future__ import annotations

from decimal import Decimal

# ISO 4217 minor-unit exponents of the currencies our operators and providers use
EXPONENTS: dict[str, int] = {
    "KES": 2, "UGX": 0, "TZS": 2, "RWF": 0, "BIF": 0, "ETB": 2, "GHS": 2, "NGN": 2, "XOF": 0, "XAF": 0,
    "ZAR": 2, "ZMW": 2, "MWK": 2, "SSP": 2, "EUR": 2, "USD": 2, "GBP": 2, "CAD": 2, "AUD": 2, "CHF": 2,
    "JPY": 0,
    # the rest of PayPal's currencies (HUF and TWD have two places in ISO 4217, though PayPal takes whole units)
    "BRL": 2, "CNY": 2, "CZK": 2, "DKK": 2, "HKD": 2, "HUF": 2, "ILS": 2, "MYR": 2, "MXN": 2, "TWD": 2,
    "NZD": 2, "NOK": 2, "PHP": 2, "PLN": 2, "SGD": 2, "SEK": 2, "THB": 2,
}


class UnknownCurrency(ValueError):
    pass


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(f"Unknown currency {currency!r}.") from None


def to_text(amount_minor: int, currency: str) -> str:
    """10050 KES -> "100.50"; 100 UGX -> "100". Exact."""
    places = exponent(currency)
    if places == 0:
        return str(amount_minor)
    sign = "-" if amount_minor < 0 else ""
    whole, part = divmod(abs(amount_minor), 10**places)
    return f"{sign}{whole}.{part:0{places}d}"


def from_text(text: str, currency: str) -> int:
    """"100.50" KES -> 10050. ValueError when the text is not a number or has more places than the currency."""
    try:
        value = Decimal(str(text).strip())
    except ArithmeticError:
        raise ValueError(f"{text!r} is not an amount.") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount.")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{text!r} has more decimal places than {currency} allows.")
    return int(scaled)
