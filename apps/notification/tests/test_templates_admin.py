"""The admin of companies' own wording of messages: company admins write their companies' overrides, a broken one
is a form error and is not stored, the change page previews it (an SMS with its segments and estimated cost),
and nobody sees or writes another company's."""

from __future__ import annotations

import html

import pytest

from apps.notification.templating.models import TemplateOverride
from apps.notification.templating.services import template_override_save
from tests.worlds.payment import build_payment_company, make_platform_admin

pytestmark = pytest.mark.django_db

ADD = "/admin/notification/templateoverride/add/"
LIST = "/admin/notification/templateoverride/"
SMS = "{{ company_name }}: ticket {{ ticket_number }}, seat {{ seat }}. Safari njema!"


@pytest.fixture
def company():
    return build_payment_company()


@pytest.fixture
def other():
    return build_payment_company()


def _form(company_id=None, **values) -> dict[str, str]:
    data = {"kind": "ticket_confirmed", "channel": "sms", "language": "sw", "subject": "", "body": SMS,
            "html_body": ""}
    if company_id is not None:
        data["company_id"] = str(company_id)
    return {**data, **values}


def _saved(company_id, **values) -> TemplateOverride:
    data = {**_form(), **values}
    return template_override_save(company_id=company_id, updated_by=None, **data)


def _change_url(row: TemplateOverride) -> str:
    return f"/admin/notification/templateoverride/{row.pk}/change/"


def _errors(response) -> dict[str, list[str]]:
    form = response.context["adminform"].form
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


def test_a_company_admin_adds_an_override_for_their_company(client, company, other):
    admin_user = company.users["company_admin"]
    client.force_login(admin_user)

    form_page = client.get(ADD)
    added = client.post(ADD, _form(company.company_id))

    assert form_page.context["adminform"].form.fields["company_id"].choices == [
        (str(company.company_id), company.name)]
    assert added.status_code == 302
    row = TemplateOverride.objects.get()
    assert (row.company_id, row.kind, row.channel, row.language, row.body, row.updated_by) == (
        company.company_id, "ticket_confirmed", "sms", "sw", SMS, admin_user.pk)


def test_the_add_page_starts_from_the_platforms_wording(client, company):
    client.force_login(company.users["company_admin"])

    page = client.get(ADD + "?kind=trip_delayed&channel=email&language=fr")

    initial = page.context["adminform"].form.initial
    assert initial["subject"] == "Votre départ est reporté à {{ new_departure }} ({{ delay_minutes }} min de retard)"
    assert initial["body"].startswith("Bonjour{% if passenger_name %} {{ passenger_name }}{% endif %},")
    assert initial["html_body"].startswith("<p>Bonjour")


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"body": "Tiketi {{ tiket }}"}, "body", 'Line 1: unknown variable "tiket".'),
    ({"body": "{% load static %}Tiketi"}, "body", "Line 1: the tag {% load %} is not allowed in a message"),
    ({"body": "{% include 'admin/base.html' %}"}, "body", "Line 1: the tag {% include %} is not allowed"),
    ({"body": "{% for x in seat %}"}, "body", "Unclosed tag on line 1: 'for'."),
    ({"channel": "email", "subject": ""}, "subject", "An email needs a subject."),
    ({"channel": "email", "subject": "Tiketi", "html_body": "<p>{{ seat|safe }}</p>"}, "html_body",
     "Line 1: Invalid filter: 'safe'."),
    ({"kind": "daily_sales_summary"}, "channel", "A daily sales summary message is not sent by sms."),
])
def test_a_broken_override_is_a_form_error_and_is_not_stored(client, company, values, field, message):
    client.force_login(company.users["company_admin"])

    refused = client.post(ADD, _form(company.company_id, **values))

    assert refused.status_code == 200
    errors = _errors(refused)
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert html.escape(message) in refused.content.decode()
    assert TemplateOverride.objects.count() == 0


def test_a_second_override_of_the_same_message_is_a_form_error(client, company):
    first = _saved(company.company_id)
    client.force_login(company.users["company_admin"])

    refused = client.post(ADD, _form(company.company_id, body="Tiketi {{ ticket_number }}"))

    assert _errors(refused) == {"__all__": [
        "The company already has its own wording of this message in this language: change that one."]}
    assert list(TemplateOverride.objects.values_list("pk", "body")) == [(first.pk, SMS)]


def test_the_change_page_previews_the_sms_with_its_segments_and_cost(client, company):
    row = _saved(company.company_id)
    client.force_login(company.users["company_admin"])

    page = client.get(_change_url(row)).content.decode()

    text = f"{company.name}: ticket 7K3M9QXZ, seat 14C. Safari njema!"
    assert f'<pre style="white-space:pre-wrap;max-width:40em;">{text}</pre>' in page
    assert ("<tr><th>Encoding</th><td>GSM-7</td></tr>"
            f"<tr><th>Characters</th><td>{len(text)}</td></tr>"
            f"<tr><th>Units</th><td>{len(text)} (septets)</td></tr>"
            "<tr><th>Segments</th><td>1</td></tr>"
            "<tr><th>Estimated cost</th><td>africastalking: KES 0.80; twilio: USD 0.0079</td></tr>"
            "<tr><th>Characters that forced UCS-2</th><td>none</td></tr>") in page


def test_the_preview_names_the_characters_that_forced_ucs2_and_prices_every_segment(client, company):
    row = _saved(company.company_id, body="Safari njema 🚌 → {{ to_stop }}! " * 3)
    client.force_login(company.users["company_admin"])

    page = client.get(_change_url(row)).content.decode()

    assert ("<tr><th>Encoding</th><td>UCS-2</td></tr><tr><th>Characters</th><td>101</td></tr>"
            "<tr><th>Units</th><td>104 (UTF-16 code units)</td></tr><tr><th>Segments</th><td>2</td></tr>"
            "<tr><th>Estimated cost</th><td>africastalking: KES 1.60; twilio: USD 0.0158</td></tr>"
            "<tr><th>Characters that forced UCS-2</th><td>🚌 →</td></tr>") in page


def test_the_change_page_previews_an_email_as_sent(client, company):
    row = _saved(company.company_id, channel="email", language="en", subject="Ticket {{ ticket_number }}",
                 body="Hello {{ passenger_name }}", html_body="<p>Hello <b>{{ passenger_name }}</b></p>")
    client.force_login(company.users["company_admin"])

    page = client.get(_change_url(row)).content.decode()

    assert "<p><strong>Subject:</strong> Ticket 7K3M9QXZ</p>" in page
    assert '<pre style="white-space:pre-wrap;max-width:60em;">Hello Wanjiku Njeri Achieng-Odhiambo</pre>' in page
    assert '<iframe title="The HTML part" sandbox srcdoc="&lt;!DOCTYPE html&gt;' in page
    assert "&lt;p&gt;Hello &lt;b&gt;Wanjiku Njeri Achieng-Odhiambo&lt;/b&gt;&lt;/p&gt;" in page
    assert html.escape(f">{company.name}</td>") in page  # the company's own name brands it


def test_a_change_is_saved_and_a_broken_one_refused(client, company):
    row = _saved(company.company_id)
    client.force_login(company.users["company_admin"])

    changed = client.post(_change_url(row), {"body": "Kiti {{ seat }}", "subject": "", "html_body": ""})
    refused = client.post(_change_url(row), {"body": "Kiti {{ kiti }}", "subject": "", "html_body": ""})

    assert changed.status_code == 302
    assert _errors(refused) == {"body": ['Line 1: unknown variable "kiti". This message may use: passenger_name, '
                                         "ticket_number, seat, from_stop, to_stop, departure, company_name, "
                                         "ticket_url."]}
    row.refresh_from_db()
    assert (row.kind, row.language, row.body) == ("ticket_confirmed", "sw", "Kiti {{ seat }}")


def test_another_companys_admin_neither_sees_nor_writes_an_override(client, company, other):
    row = _saved(company.company_id)
    client.force_login(other.users["company_admin"])

    listed = client.get(LIST)
    opened = client.get(_change_url(row))
    posted = client.post(_change_url(row), {"body": "Theirs {{ seat }}", "subject": "", "html_body": ""})
    added = client.post(ADD, _form(company.company_id, language="en"))

    assert list(listed.context["cl"].result_list) == []
    assert (opened.status_code, posted.status_code) == (302, 302)  # the admin does not find another's row
    assert added.status_code == 200 and "company_id" in _errors(added)
    assert list(TemplateOverride.objects.values_list("company_id", "body")) == [(company.company_id, SMS)]


def test_a_dispatcher_may_look_but_not_write(client, company):
    row = _saved(company.company_id)
    client.force_login(company.users["dispatcher"])

    listed = client.get(LIST)
    opened = client.get(_change_url(row))
    posted = client.post(_change_url(row), {"body": "Kiti {{ seat }}", "subject": "", "html_body": ""})
    add_page = client.get(ADD)

    assert list(listed.context["cl"].result_list) == [row]
    assert opened.status_code == 200 and "Segments" in opened.content.decode()
    assert (posted.status_code, add_page.status_code) == (403, 403)
    assert TemplateOverride.objects.get().body == SMS


def test_an_agent_does_not_see_the_page(client, company):
    client.force_login(company.users["agent"])

    assert client.get(LIST).status_code == 403


def test_a_platform_admin_writes_for_any_company(client, company, other):
    client.force_login(make_platform_admin())

    form_page = client.get(ADD)
    added = client.post(ADD, _form(other.company_id))

    assert {str(company.company_id), str(other.company_id)} <= {
        value for value, _name in form_page.context["adminform"].form.fields["company_id"].choices}
    assert added.status_code == 302
    assert TemplateOverride.objects.get().company_id == other.company_id


def test_deleting_an_override_brings_back_the_platforms_wording(client, company):
    row = _saved(company.company_id)
    client.force_login(company.users["company_admin"])

    deleted = client.post(f"/admin/notification/templateoverride/{row.pk}/delete/", {"post": "yes"})

    assert deleted.status_code == 302
    assert TemplateOverride.objects.count() == 0


def test_the_form_says_what_a_template_may_use(client, company):
    row = _saved(company.company_id)
    client.force_login(company.users["company_admin"])

    add_page = client.get(ADD).content.decode()
    change_page = client.get(_change_url(row)).content.decode()

    assert ("<dt>trip_delayed</dt><dd>The trip leaves later than planned: the new departure at the passenger&#x27;s "
            "stop. (sms, email; not essential). Values: passenger_name, ticket_number, from_stop, to_stop, "
            "departure, new_departure, delay_minutes, company_name</dd>") in add_page
    assert "the tags {% if %}, {% for %}, {% with %}, {% firstof %}, {% comment %}; the filters capfirst," in add_page
    assert "<dt>{{ departure }}</dt><dd>Jtatu 30 Machi 08:30</dd>" in change_page
