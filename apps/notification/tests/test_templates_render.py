"""Rendering messages: every kind on each of its channels in every language, the fallback chain from a company's
override to the platform's wording, escaping in the email's HTML part only, and what the SMS rendering does to
characters with a GSM-7 look-alike."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from apps.notification.segments import sms_segments
from apps.notification.templating.defaults import MessageTemplate, default_template
from apps.notification.templating.gsm import gsm_lookalikes
from apps.notification.templating.models import TemplateOverride
from apps.notification.templating.render import (
    KINDS,
    SUBJECT_MAX_CHARS,
    ContextIncomplete,
    TemplateBroken,
    message_render,
    template_render,
)
from apps.notification.templating.services import template_override_save

LANGUAGES = [code for code, _name in settings.LANGUAGES]
EVERY_MESSAGE = [(kind.name, channel, language) for kind in KINDS.values() for channel in kind.channels
                 for language in LANGUAGES]

# what each default SMS must tell (its sample values, as the SMS carries them)
SMS_TELLS = {
    "ticket_confirmed": ["ticket_number", "seat", "from_stop", "to_stop", "departure", "ticket_url"],
    "payment_failed": ["amount", "from_stop", "to_stop", "departure"],
    "ticket_cancelled": ["ticket_number", "seat", "refund"],
    "refund_completed": ["amount", "ticket_number"],
    "seat_changed": ["ticket_number", "old_seat", "new_seat", "departure"],
    "trip_delayed": ["from_stop", "to_stop", "new_departure", "delay_minutes"],
    "trip_cancelled": ["ticket_number", "departure", "refund"],
    "staff_invited": ["company_name", "link", "expires"],
    "password_reset": ["link", "expires"],
}
SMS_TEXT = MessageTemplate(language="en", subject="", body="Hi {{ passenger_name }}, seat {{ seat }}.", html_body="")


def _render(kind: str, channel: str, language: str, company_id=None, **values):
    return message_render(kind=kind, channel=channel, language=language, company_id=company_id,
                          context={**KINDS[kind].sample_in(language), **values})


def _default(kind: str, channel: str, language: str, **values):
    template = default_template(kind=kind, channel=channel, language=language)
    assert template is not None
    return template_render(kind=kind, channel=channel, template=template,
                           context={**KINDS[kind].sample_in(language), **values})


@pytest.fixture
def company_ids():
    return uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(("kind", "channel", "language"), EVERY_MESSAGE)
def test_every_kind_renders_on_each_channel_in_every_language(kind, channel, language):
    sample = KINDS[kind].sample_in(language)

    message = _render(kind, channel, language)

    assert "{" not in message.text and "}" not in message.text
    if channel == "sms":
        assert (message.subject, message.html) == ("", "")
        assert [name for name in SMS_TELLS[kind] if gsm_lookalikes(str(sample[name])) not in message.text] == []
    else:
        scalars = {name: value for name, value in sample.items() if isinstance(value, str)}
        assert message.subject and "\n" not in message.subject
        assert [name for name, value in scalars.items() if value not in message.text] == []
        assert [name for name, value in scalars.items() if value not in message.html] == []
        assert f'<html lang="{language}">' in message.html


def test_the_daily_summary_lists_every_channel_in_the_messages_language():
    message = _render("daily_sales_summary", "email", "sw")

    assert "- Mtandaoni: tiketi 812, KES 10,068,800.00\n- Ofisini: tiketi 301, KES 3,732,400.00\n" \
           "- Njiani (POS): tiketi 171, KES 2,115,600.00\n" in message.text
    assert "Njiani (POS)</td>" in message.html


def test_the_daily_summary_says_when_nothing_was_sold():
    message = _render("daily_sales_summary", "email", "fr", rows=[])

    assert "Par canal de vente :\nAucun billet n'a été vendu.\n\nPlus de détails" in message.text
    assert "<table cellpadding" not in message.html


def test_an_empty_optional_value_leaves_its_sentence_out():
    with_refund = _render("ticket_cancelled", "sms", "en")
    without = _render("ticket_cancelled", "sms", "en", refund="")
    booking_refund = _render("refund_completed", "email", "en", ticket_number="")

    assert with_refund.text.endswith(" is cancelled. Refund: KES 11,160.00.")
    assert without.text.endswith(" is cancelled.")
    assert "for your booking." in booking_refund.text and "ticket" not in booking_refund.subject


def test_html_escapes_a_passengers_name_and_the_sms_and_text_keep_it():
    name = '<script>alert("x")</script> O\'Hara & Sons'

    email = _render("ticket_confirmed", "email", "en", passenger_name=name)
    sms = template_render(kind="ticket_confirmed", channel="sms", template=SMS_TEXT,
                          context={**KINDS["ticket_confirmed"].sample, "passenger_name": name})

    assert "<script>" not in email.html
    assert "Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Hara &amp; Sons," in email.html
    assert f"Hello {name}," in email.text
    assert sms.text == f"Hi {name}, seat 14C."


def test_the_html_part_carries_the_companys_name_as_its_brand():
    message = _render("ticket_confirmed", "email", "fr", company_name="Coast <Bus> Ltd")

    assert 'font-weight:bold;border-radius:8px 8px 0 0;">Coast &lt;Bus&gt; Ltd</td>' in message.html
    assert "Ce message a été envoyé automatiquement." in message.html


def test_a_password_reset_has_no_company_and_no_brand():
    message = _render("password_reset", "email", "en")

    assert "border-radius:8px 8px 0 0;" not in message.html
    assert message.subject == "Choose a new password"


def test_the_sms_swaps_characters_that_have_a_gsm7_look_alike():
    french_august = _render("ticket_confirmed", "sms", "fr")
    typed = ("\u201cBon voyage\u201d \u2013 l\u2019\u00e9quipe {{ company_name }}\u2026 "
             "Fran\u00e7oise, \u00e0 bient\u00f4t")
    quoted = template_render(kind="ticket_confirmed", channel="sms", context=KINDS["ticket_confirmed"].sample,
                             template=MessageTemplate(language="fr", subject="", html_body="", body=typed))

    assert "sam 30 Aoû 08:30" in KINDS["ticket_confirmed"].sample_in("fr")["departure"]
    assert "sam 30 Aou 08:30" in french_august.text
    assert quoted.text == "\"Bon voyage\" - l'équipe Modern Coast Express Ltd... Francoise, à bientot"
    assert sms_segments(quoted.text).encoding == "GSM-7"


def test_letters_without_a_look_alike_keep_the_sms_in_ucs2():
    message = template_render(kind="ticket_confirmed", channel="sms", template=SMS_TEXT,
                              context={**KINDS["ticket_confirmed"].sample, "passenger_name": "Ṭäye → አበበ"})

    assert message.text == "Hi Ṭäye → አበበ, seat 14C."
    assert sms_segments(message.text).non_gsm == "Ṭ→አበ"


def test_a_subject_is_one_line_of_at_most_200_characters():
    template = MessageTemplate(language="en", subject="{{ company_name }}", body="{{ company_name }}", html_body="")
    two_lines = {**KINDS["ticket_confirmed"].sample, "company_name": "Line one\nline two"}
    long_name = {**KINDS["ticket_confirmed"].sample, "company_name": "Long " * 60}

    one_line = template_render(kind="ticket_confirmed", channel="email", template=template, context=two_lines)
    cut = template_render(kind="ticket_confirmed", channel="email", template=template, context=long_name)

    assert one_line.subject == "Line one line two"
    assert len(cut.subject) == SUBJECT_MAX_CHARS and cut.subject.endswith("Long\u2026")


def test_an_email_without_html_gets_its_text_as_html():
    template = MessageTemplate(language="en", subject="Ticket {{ ticket_number }}", html_body="",
                               body="Hello {{ passenger_name }},\n\nYour ticket: {{ ticket_url }}")

    message = template_render(kind="ticket_confirmed", channel="email", template=template,
                              context={**KINDS["ticket_confirmed"].sample, "passenger_name": "<b>Ann</b>"})

    assert ('<p>Hello &lt;b&gt;Ann&lt;/b&gt;,</p>\n\n<p>Your ticket: <a href="https://tk.example.co.ke/t/7K3M9QXZ2B4DF"'
            '>https://tk.example.co.ke/t/7K3M9QXZ2B4DF</a></p>') in message.html


def test_a_value_the_kind_promises_must_be_given():
    context = dict(KINDS["ticket_confirmed"].sample)
    del context["seat"]

    with pytest.raises(ContextIncomplete, match="A ticket_confirmed message needs seat."):
        message_render(kind="ticket_confirmed", channel="sms", language="en", company_id=None, context=context)


def test_unknown_kinds_and_channels_are_refused():
    with pytest.raises(ValueError, match="Unknown kind of message 'ticket_lost'"):
        message_render(kind="ticket_lost", channel="sms", language="en", company_id=None, context={})
    with pytest.raises(ValueError, match="A daily_sales_summary message is not sent by sms."):
        message_render(kind="daily_sales_summary", channel="sms", language="en", company_id=None,
                       context=KINDS["daily_sales_summary"].sample)


# --- the fallback chain -------------------------------------------------------------------------------------------

def _override(company_id, kind="ticket_confirmed", channel="sms", language="en", body="Own {{ ticket_number }}",
              subject="", html_body=""):
    return template_override_save(company_id=company_id, kind=kind, channel=channel, language=language,
                                  subject=subject, body=body, html_body=html_body, updated_by=None)


@pytest.mark.django_db
def test_a_company_without_overrides_gets_the_default(company_ids):
    company, _other = company_ids

    assert _render("ticket_confirmed", "sms", "sw", company_id=company) == _default("ticket_confirmed", "sms", "sw")


@pytest.mark.django_db
def test_the_companys_override_in_the_messages_language_comes_first(company_ids):
    company, _other = company_ids
    _override(company, language="sw", body="Yetu: tiketi {{ ticket_number }}")
    _override(company, language="en", body="Ours: ticket {{ ticket_number }}")

    assert _render("ticket_confirmed", "sms", "sw", company_id=company).text == "Yetu: tiketi 7K3M9QXZ"
    assert _render("ticket_confirmed", "email", "sw", company_id=company) == _default("ticket_confirmed", "email", "sw")


@pytest.mark.django_db
def test_the_default_in_the_messages_language_comes_before_the_companys_english(company_ids):
    company, _other = company_ids
    _override(company, language="en", body="Ours: ticket {{ ticket_number }}")

    assert _render("ticket_confirmed", "sms", "fr", company_id=company) == _default("ticket_confirmed", "sms", "fr")


@pytest.mark.django_db
def test_a_language_without_defaults_falls_back_to_english_the_companys_first(company_ids):
    company, other = company_ids
    _override(company, language="en", body="Ours: ticket {{ ticket_number }}")

    assert default_template(kind="ticket_confirmed", channel="sms", language="pt") is None
    assert _render("ticket_confirmed", "sms", "pt", company_id=company).text == "Ours: ticket 7K3M9QXZ"
    assert _render("ticket_confirmed", "sms", "pt", company_id=other) == _default("ticket_confirmed", "sms", "en")


@pytest.mark.django_db
def test_one_companys_override_is_never_used_for_another(company_ids):
    company, other = company_ids
    _override(company, language="fr", body="Chez nous : billet {{ ticket_number }}")

    assert _render("ticket_confirmed", "sms", "fr", company_id=other) == _default("ticket_confirmed", "sms", "fr")
    assert _render("ticket_confirmed", "sms", "fr", company_id=None) == _default("ticket_confirmed", "sms", "fr")


@pytest.mark.django_db
def test_an_email_override_renders_in_the_layout_in_its_own_language(company_ids):
    company, _other = company_ids
    _override(company, channel="email", language="en", subject="Ticket {{ ticket_number }}",
              body="Seat {{ seat }}", html_body="<p>Seat <b>{{ seat }}</b></p>")

    message = _render("ticket_confirmed", "email", "pt", company_id=company)

    assert (message.subject, message.text) == ("Ticket 7K3M9QXZ", "Seat 14C")
    assert '<html lang="en">' in message.html and "<p>Seat <b>14C</b></p>" in message.html


@pytest.mark.django_db
def test_a_stored_override_that_no_longer_renders_is_template_broken(company_ids):
    """A row saved before a rule it breaks (written here as an older release could have): the caller then renders
    the default."""
    company, _other = company_ids
    TemplateOverride.objects.create(company_id=company, kind="ticket_confirmed", channel="sms", language="en",
                                    body="Seat {{ seat_number }}")

    with pytest.raises(TemplateBroken, match='unknown variable "seat_number"'):
        _render("ticket_confirmed", "sms", "en", company_id=company)
    assert _render("ticket_confirmed", "sms", "en", company_id=None) == _default("ticket_confirmed", "sms", "en")
