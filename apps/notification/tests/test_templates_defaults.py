"""The platform's default templates: one for every kind, channel and language; each SMS written in the GSM 7-bit
alphabet and one segment long with the long sample values; every template within the message engine's rules."""

from __future__ import annotations

import pytest
from django.conf import settings

from apps.notification.segments import sms_segments
from apps.notification.templating.compiling import compiled
from apps.notification.templating.defaults import DEFAULTS_DIR, default_template
from apps.notification.templating.render import KINDS, message_render

LANGUAGES = [code for code, _name in settings.LANGUAGES]
SMS_KINDS = [kind.name for kind in KINDS.values() if "sms" in kind.channels]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", SMS_KINDS)
def test_every_default_sms_is_one_gsm7_segment_with_the_long_sample(kind, language):
    source = default_template(kind=kind, channel="sms", language=language)

    sent = message_render(kind=kind, channel="sms", language=language, company_id=None,
                          context=KINDS[kind].sample_in(language))

    assert sms_segments(source.body).encoding == "GSM-7"  # written so, not made so by the look-alikes
    counted = sms_segments(sent.text)
    assert (counted.encoding, counted.segments, counted.non_gsm) == ("GSM-7", 1, "")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", SMS_KINDS)
def test_the_sms_stays_one_segment_when_optional_values_are_empty(kind, language):
    blanks = {name: "" for name in ("refund", "ticket_number") if name in KINDS[kind].variables}

    sent = message_render(kind=kind, channel="sms", language=language, company_id=None,
                          context={**KINDS[kind].sample_in(language), **blanks})

    assert sms_segments(sent.text).segments == 1


def test_every_kind_has_each_of_its_channels_in_every_language_and_nothing_else():
    files = sorted(path.stem for path in DEFAULTS_DIR.glob("*.toml"))
    every = [(kind.name, channel, language) for kind in KINDS.values() for channel in kind.channels
             for language in LANGUAGES]
    missing = [key for key in every if default_template(kind=key[0], channel=key[1], language=key[2]) is None]

    assert files == sorted([*KINDS, "layout"])
    assert missing == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_default_keeps_to_the_message_engines_rules(kind):
    """Defaults are checked as a company's override is: allowed tags and filters, the kind's variables only."""
    for channel in KINDS[kind].channels:
        for language in LANGUAGES:
            template = default_template(kind=kind, channel=channel, language=language)
            for source in (template.subject, template.body, template.html_body):
                compiled(source, kind)


def test_email_defaults_have_every_part():
    email = [(kind.name, language) for kind in KINDS.values() if "email" in kind.channels for language in LANGUAGES]

    parts = {(kind, language): default_template(kind=kind, channel="email", language=language)
             for kind, language in email}

    assert [key for key, template in parts.items()
            if not (template.subject.strip() and template.body.strip() and template.html_body.strip())] == []


def test_the_sample_values_are_as_long_as_promised():
    ticket = KINDS["ticket_confirmed"].sample

    assert (len(ticket["passenger_name"]), len(ticket["from_stop"]), len(ticket["to_stop"]),
            len(ticket["ticket_url"])) == (30, 15, 15, 40)
    assert len(KINDS["trip_delayed"].sample_in("sw")["new_departure"]) == 20
