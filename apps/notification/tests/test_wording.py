"""Values as messages say them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from apps.notification.wording import day_name, local_time, money


@pytest.mark.parametrize(("minor", "currency", "said"), [
    (0, "KES", "KES 0.00"), (140_000, "KES", "KES 1,400.00"), (12_345_600, "KES", "KES 123,456.00"),
    (-5_050, "KES", "KES -50.50"), (1_500, "UGX", "UGX 1,500"), (2**63 - 1, "KES", "KES 92,233,720,368,547,758.07"),
])
def test_money_is_said_exactly_with_its_currency(minor, currency, said):
    assert money(minor, currency) == said


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Sat 5 Dec 08:30"), ("sw", "Jmosi 5 Dis 08:30"), ("fr", "sam 5 Déc 08:30")])
def test_a_time_is_said_on_the_local_clock_in_the_messages_language(language, said):
    at = datetime(2026, 12, 5, 5, 30, tzinfo=UTC)

    assert local_time(at, timezone="Africa/Nairobi", language=language) == said


def test_the_last_day_of_the_calendar_is_said_too():
    assert day_name(date(9999, 12, 31), language="en") == "Friday 31 December 9999"
