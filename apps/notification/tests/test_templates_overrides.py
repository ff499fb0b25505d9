"""Saving a company's own wording of a message: stored when it renders with the kind's sample values, refused
with a message per field (and nothing stored) when it would not."""

from __future__ import annotations

import uuid

import pytest

from apps.notification.templating.models import TemplateOverride
from apps.notification.templating.services import template_override_delete, template_override_save
from transport.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db

COMPANY = uuid.UUID("6f1c1c8e-2f0b-4d3e-9d55-0c8f7e1a2b30")
OTHER = uuid.UUID("0b7e4a7d-9a55-4f0e-8f71-5d7f9d3c2e11")
EDITOR = uuid.UUID("d2f4a3b1-5c6e-4f70-8a9b-0c1d2e3f4a5b")
EMAIL = {"subject": "Ticket {{ ticket_number }}", "body": "Seat {{ seat }}", "html_body": "<p>{{ seat }}</p>"}


def _save(kind="ticket_confirmed", channel="sms", language="en", subject="", body="Ticket {{ ticket_number }}",
          html_body="", company_id=COMPANY, override_id=None):
    return template_override_save(company_id=company_id, kind=kind, channel=channel, language=language,
                                  subject=subject, body=body, html_body=html_body, updated_by=EDITOR,
                                  override_id=override_id)


def _refusal(**values) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        _save(**values)
    assert TemplateOverride.objects.count() == 0
    return refused.value.fields


def test_a_template_that_renders_is_stored_with_who_saved_it():
    saved = _save(channel="email", language="fr", **EMAIL)

    row = TemplateOverride.objects.get()
    assert (row.pk, row.company_id, row.kind, row.channel, row.language, row.subject, row.body, row.html_body,
            row.updated_by) == (saved.pk, COMPANY, "ticket_confirmed", "email", "fr", EMAIL["subject"],
                                EMAIL["body"], EMAIL["html_body"], EDITOR)


@pytest.mark.parametrize(("body", "message"), [
    ("Seat {{ seat_number }}", 'Line 1: unknown variable "seat_number". This message may use: passenger_name, '
                               "ticket_number, seat, from_stop, to_stop, departure, company_name, ticket_url."),
    ("{% if seat %}Seat {{ seat }}", "Unclosed tag on line 1: 'if'. Looking for one of: elif, else, endif."),
    ("Seat {{ seat|safe }}", "Line 1: Invalid filter: 'safe'. Filters allowed: capfirst, center, default, first, "
                             "join, last, length, linebreaks, linebreaksbr, ljust, lower, pluralize, rjust, title, "
                             "truncatechars, truncatewords, upper, urlize, wordwrap, yesno."),
    ("{% load static %}Seat {{ seat }}", "Line 1: the tag {% load %} is not allowed in a message; use only {% if %}, "
                                         "{% for %}, {% with %}, {% firstof %}, {% comment %}."),
    ("Seat\n{% include 'admin/base.html' %}", "Line 2: the tag {% include %} is not allowed"),
    ("{% ssi '/etc/passwd' %}", "Line 1: the tag {% ssi %} is not allowed"),
    ("{% extends 'admin/base.html' %}", "Line 1: the tag {% extends %} is not allowed"),
    ("{% autoescape off %}{{ seat }}{% endautoescape %}", "Line 1: the tag {% autoescape %} is not allowed"),
    ("{% now 'Y' %}", "Line 1: the tag {% now %} is not allowed"),
    ("{% debug %}", "Line 1: the tag {% debug %} is not allowed"),
    ("{% url 'admin:index' %}", "Line 1: the tag {% url %} is not allowed"),
    ("Seat {{ seat.upper }}", 'Line 1: "seat.upper" cannot be read (it is text: use a filter such as |upper instead).'),
    ("{{ seat.__class__ }}", "Line 1: Variables and attributes may not begin with underscores"),
    ("{% firstof seat ticket_number as chosen %}{{ chosen }}", "Line 1: {% firstof ... as name %} is not allowed"),
    ("{{ seat|default:seats }}", 'Line 1: unknown variable "seats".'),
    ("{% if ticket_numbr %}x{% endif %}Seat", 'Line 1: unknown variable "ticket_numbr".'),
    ("{% if False %}Seat {{ seat }}{% endif %}", "The SMS renders empty with the sample values."),
    ("   ", "The SMS cannot be empty."),
])
def test_a_broken_sms_is_refused_and_not_stored(body, message):
    refused = _refusal(body=body)

    assert list(refused) == ["body"]
    assert refused["body"][0].startswith(message)


def test_a_loop_reads_only_the_fields_its_rows_have():
    good = "{% for row in rows %}{{ forloop.counter }}. {{ row.channel }} {{ row.tickets }}{% endfor %}"

    refused = _refusal(kind="daily_sales_summary", channel="email", subject="Sales", body=good,
                       html_body="{% for row in rows %}{{ row.profit }}{% endfor %}")
    _save(kind="daily_sales_summary", channel="email", subject="Sales", body=good, html_body="")

    assert refused == {"html_body": ['Line 1: "row.profit" cannot be read (it has channel, revenue, tickets).']}
    assert TemplateOverride.objects.get().body == good


def test_an_email_needs_a_subject_and_a_text_part():
    refused = _refusal(channel="email", subject=" ", body="", html_body="<p>{{ seat }}</p>")

    assert refused == {"subject": ["An email needs a subject."], "body": ["The plain-text part is required."]}


def test_a_subject_longer_than_a_delivery_holds_is_refused():
    refused = _refusal(channel="email", subject="{{ ticket_url }} " * 5 + "{{ passenger_name }}",
                       body="Seat {{ seat }}")

    assert refused == {"subject": ["The subject is 235 characters long with the sample values; at most 200."]}


def test_an_sms_has_no_subject_nor_html_part():
    refused = _refusal(subject="Ticket", html_body="<p>x</p>")

    assert refused == {"subject": ["An SMS has only a body: leave this blank."],
                       "html_body": ["An SMS has only a body: leave this blank."]}


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"kind": "daily_sales_summary", "channel": "sms"}, "channel", "A daily sales summary message is not sent by sms."),
    ({"kind": "ticket_lost"}, "kind", "Unknown kind of message 'ticket_lost'."),
    ({"language": "de"}, "language", "Messages are not written in 'de'."),
])
def test_a_message_the_platform_does_not_send_is_refused(values, field, message):
    assert _refusal(**values) == {field: [message]}


def test_a_second_override_of_the_same_message_is_refused():
    first = _save(body="First {{ seat }}")

    with pytest.raises(ValidationFailed, match="already has its own wording of this message in this language"):
        _save(body="Second {{ seat }}")

    assert list(TemplateOverride.objects.values_list("pk", "body")) == [(first.pk, "First {{ seat }}")]


def test_a_change_keeps_the_overrides_message_and_refuses_breaking_it():
    saved = _save(body="First {{ seat }}")

    changed = _save(override_id=saved.pk, kind="trip_delayed", language="fr", body="Then {{ seat }}")
    with pytest.raises(ValidationFailed):
        _save(override_id=saved.pk, body="Then {{ seat_label }}")

    row = TemplateOverride.objects.get()
    assert (changed.pk, row.kind, row.language, row.body) == (saved.pk, "ticket_confirmed", "en", "Then {{ seat }}")


def test_another_companys_override_is_not_found_for_change_or_delete():
    saved = _save(body="First {{ seat }}")

    with pytest.raises(NotFound):
        _save(override_id=saved.pk, company_id=OTHER, body="Theirs {{ seat }}")
    template_override_delete(override_id=saved.pk, company_id=OTHER)

    assert list(TemplateOverride.objects.values_list("body", flat=True)) == ["First {{ seat }}"]
    template_override_delete(override_id=saved.pk, company_id=COMPANY)
    assert TemplateOverride.objects.count() == 0
