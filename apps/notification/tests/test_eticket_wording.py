"""How an e-ticket writes amounts and times in each language: exact amounts from integer minor units, grouped as
the language groups them, and times on the clocks of the stop they belong to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.notification.eticket.wording import WORDINGS, wording_for


@pytest.mark.parametrize(("language", "amount_minor", "currency", "written"), [
    ("en", 140_000, "KES", "KES 1,400.00"),
    ("en", 5, "KES", "KES 0.05"),
    ("en", 0, "KES", "KES 0.00"),
    ("en", 123_456_789, "TZS", "TZS 1,234,567.89"),
    ("en", 1_500_000, "UGX", "UGX 1,500,000"),  # no minor unit
    ("en", 999, "RWF", "RWF 999"),
    ("en", -1_050, "KES", "KES -10.50"),  # a refund's sign is kept
    ("sw", 140_000, "KES", "KES 1,400.00"),
    ("fr", 140_000, "KES", "1\u202f400,00\u00a0KES"),  # narrow no-break space between thousands, comma mark
    ("fr", 15_000, "XOF", "15\u202f000\u00a0XOF"),
    ("fr", 99, "EUR", "0,99\u00a0EUR"),
])
def test_amounts_are_written_exactly_in_the_languages_way(language, amount_minor, currency, written):
    assert WORDINGS[language].money(amount_minor, currency) == written


@pytest.mark.parametrize(("language", "timezone", "written"), [
    ("en", "Africa/Nairobi", "Monday 7 December 2026, 08:05 EAT"),
    ("sw", "Africa/Nairobi", "Jumatatu 7 Disemba 2026, 08:05 EAT"),
    ("fr", "Africa/Nairobi", "lundi 7 décembre 2026, 08:05 EAT"),
    ("en", "Africa/Lagos", "Monday 7 December 2026, 06:05 WAT"),
    ("fr", "Africa/Abidjan", "lundi 7 décembre 2026, 05:05 GMT"),
    ("en", "Africa/Kigali", "Monday 7 December 2026, 07:05 CAT"),
])
def test_times_are_written_on_the_clocks_of_their_zone_in_the_language(language, timezone, written):
    instant = datetime(2026, 12, 7, 5, 5, tzinfo=UTC)

    assert WORDINGS[language].moment(instant, timezone) == written


def test_every_language_of_the_platform_has_its_own_wording(settings):
    assert {code for code, _ in settings.LANGUAGES} == set(WORDINGS)
    assert {wording.language for wording in WORDINGS.values()} == set(WORDINGS)
    assert len({wording.title for wording in WORDINGS.values()}) == len(WORDINGS)


def test_another_language_is_written_in_english():
    assert wording_for("de") is WORDINGS["en"]
    assert wording_for("") is WORDINGS["en"]
