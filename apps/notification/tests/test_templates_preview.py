"""The cost a template preview estimates: segments times each backend's price of one, in exact decimals."""

from __future__ import annotations

import pytest

from apps.notification.templating.preview import segment_cost, sms_preview


@pytest.mark.parametrize(("price", "segments", "cost"), [
    ("KES 0.80", 1, "KES 0.80"),
    ("KES 0.80", 3, "KES 2.40"),
    ("USD 0.0079", 3, "USD 0.0237"),  # a float would say 0.023700000000000002
    ("UGX 25", 4, "UGX 100"),
    ("KES 0.80", 0, "KES 0.00"),
])
def test_a_segment_price_times_segments_is_exact(price, segments, cost):
    assert segment_cost(price, segments) == cost


def test_a_price_that_is_not_currency_and_amount_is_refused():
    with pytest.raises(ValueError, match="SMS_COST_PER_SEGMENT: 'KES eighty' is not 'CURRENCY amount'."):
        segment_cost("KES eighty", 1)


def test_the_preview_prices_the_message_on_every_configured_backend(settings):
    settings.SMS_COST_PER_SEGMENT = {"twilio": "USD 0.0079", "africastalking": "KES 0.80", "local": "UGX 25"}

    shown = sms_preview("a" * 161)

    assert (shown.encoding, shown.characters, shown.units, shown.segments, shown.non_gsm) == ("GSM-7", 161, 161, 2, "")
    assert shown.costs == (("africastalking", "KES 1.60"), ("local", "UGX 50"), ("twilio", "USD 0.0158"))
