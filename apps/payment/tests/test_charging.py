"""What a provider is asked to charge: exactly what is owed, or the company's recorded conversion, never a silent
rounding."""

from __future__ import annotations

import pytest

from apps.payment.charging import charge_for, converted_minor
from apps.payment.providers import registry
from transport.errors import ValidationFailed
from transport.money import from_text, to_text


def test_exact_text_forms_round_trip():
    assert to_text(150050, "KES") == "1500.50"
    assert to_text(1500, "UGX") == "1500"
    assert to_text(-5, "USD") == "-0.05"
    assert from_text("1500.50", "KES") == 150050
    assert from_text("1500", "UGX") == 1500
    assert from_text(" 25.00 ", "USD") == 2500


@pytest.mark.parametrize("text", ["1500.505", "abc", "NaN", "Infinity", ""])
def test_text_that_is_not_an_exact_amount_is_refused(text):
    with pytest.raises(ValueError):
        from_text(text, "KES")


def test_mpesa_charges_whole_shillings_as_owed():
    mpesa = registry.provider("mpesa")
    charge = charge_for(provider=mpesa, charge_currencies=frozenset({"KES"}), amount_minor=150000, currency="KES",
                        conversion_rates={})
    assert (charge.amount_minor, charge.currency, charge.rate) == (150000, "KES", "")


def test_mpesa_refuses_cents_rather_than_rounding_them():
    mpesa = registry.provider("mpesa")
    with pytest.raises(ValidationFailed) as refused:
        charge_for(provider=mpesa, charge_currencies=frozenset({"KES"}), amount_minor=150050, currency="KES",
                   conversion_rates={})
    assert refused.value.code == "amount_not_chargeable"


def test_a_currency_the_provider_cannot_take_without_a_rate_is_refused():
    paypal = registry.provider("paypal")
    with pytest.raises(ValidationFailed) as refused:
        charge_for(provider=paypal, charge_currencies=frozenset({"USD"}), amount_minor=150000, currency="KES",
                   conversion_rates={})
    assert refused.value.code == "currency_not_supported"


def test_the_company_rate_converts_and_rounds_up_to_the_cent():
    paypal = registry.provider("paypal")
    # 1,500.00 KES x 0.0077 = 11.55 USD exactly; 1,500.01 KES x 0.0077 = 11.550077 -> 11.56
    exact = charge_for(provider=paypal, charge_currencies=frozenset({"USD", "EUR"}), amount_minor=150000,
                       currency="KES", conversion_rates={"KES": "0.0077"}, conversion_currency="USD")
    assert (exact.amount_minor, exact.currency, exact.rate) == (1155, "USD", "0.0077")
    assert converted_minor(amount_minor=150001, currency="KES", rate="0.0077", target="USD") == 1156
    assert converted_minor(amount_minor=150001, currency="KES", rate="0.0077", target="USD", up=False) == 1155


def test_zero_decimal_currencies_convert_by_their_own_exponent():
    # 50,000 UGX x 0.00027 = 13.50 USD
    assert converted_minor(amount_minor=50000, currency="UGX", rate="0.00027", target="USD") == 1350
