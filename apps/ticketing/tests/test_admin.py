"""Django admin: staff see only their company's bookings; fares are edited only by who may set them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.ticketing.fares.quotes import trip_quote
from apps.ticketing.models import Fare
from apps.ticketing.tests.holding import hold
from transport.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def _staff(user):
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    return get_user_model().objects.get(pk=user.pk)


def test_a_company_admin_sees_only_their_companys_bookings(client, world, other_world):
    mine = hold(world, world.principal("passenger"), "1A")
    theirs = hold(other_world, other_world.principal("passenger"), "1A")
    client.force_login(_staff(world.users["company_admin"]))

    pages = {name: client.get(f"/admin/ticketing/{name}/") for name in ("booking", "ticket", "fare", "promocode")}

    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    assert list(pages["booking"].context["cl"].queryset) == [mine]
    assert {fare.company_id for fare in pages["fare"].context["cl"].queryset} == {world.company_id}
    assert client.get(f"/admin/ticketing/booking/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/ticketing/booking/{theirs.pk}/change/").status_code == 302


def test_staff_find_a_booking_by_the_payment_reference_a_payer_quotes(client, world):
    wanted = hold(world, world.principal("passenger"), "1A")
    hold(world, world.principal("other_passenger"), "1B")
    client.force_login(_staff(world.users["company_admin"]))

    page = client.get("/admin/ticketing/booking/", {"q": wanted.pay_reference})

    assert list(page.context["cl"].queryset) == [wanted]


def test_a_company_admin_changes_their_fare_but_not_anothers(client, world, other_world):
    mine = Fare.objects.filter(company_id=world.company_id).first()
    theirs = Fare.objects.filter(company_id=other_world.company_id).first()
    client.force_login(_staff(world.users["company_admin"]))
    form = {"company_id": str(mine.company_id), "route_id": str(mine.route_id), "from_stop_id": str(mine.from_stop_id),
            "to_stop_id": str(mine.to_stop_id), "seat_class": "standard", "amount_minor": "99000", "currency": "KES"}

    changed = client.post(f"/admin/ticketing/fare/{mine.pk}/change/", form)
    refused = client.post(f"/admin/ticketing/fare/{theirs.pk}/change/", {**form, "company_id": str(theirs.company_id)})

    assert changed.status_code == 302
    assert Fare.objects.get(pk=mine.pk).amount_minor == 99_000
    assert refused.status_code == 302  # the admin does not find another company's row
    assert Fare.objects.get(pk=theirs.pk).amount_minor == theirs.amount_minor


def test_a_dispatcher_sees_bookings_but_cannot_open_fares(client, world):
    hold(world, world.principal("passenger"), "1A")
    client.force_login(_staff(world.users["dispatcher"]))

    assert client.get("/admin/ticketing/booking/").status_code == 200
    assert client.get("/admin/ticketing/fare/").status_code == 403


def test_the_admin_sales_report_shows_a_companys_confirmed_sales_to_its_staff_only(client, world, other_world):
    from apps.ticketing.sales.services.confirmation import booking_confirm

    for seat in ("1A", "1B"):
        booking = hold(world, world.principal("passenger"), seat)
        booking_confirm(booking_id=booking.id, principal=world.principal("company_admin"))
    theirs = hold(other_world, other_world.principal("passenger"), "1A")
    booking_confirm(booking_id=theirs.id, principal=other_world.principal("company_admin"))
    client.force_login(_staff(world.users["company_admin"]))

    page = client.get("/admin/ticketing/booking/sales/", {"group_by": "channel"})
    foreign = client.get("/admin/ticketing/booking/sales/", {"group_by": "channel",
                                                              "company": str(other_world.company_id)})

    assert page.status_code == 200
    assert [company for company, _name in page.context["companies"]] == [world.company_id]
    assert [(label, row.bookings, row.seats) for label, row in page.context["rows"]] == [("online", 2, 2)]
    assert b"Sales report" in client.get("/admin/ticketing/booking/").content
    assert foreign.context["rows"] == []  # another company's sales: the report refuses, nothing shown
    assert foreign.context["error"]


def test_a_fare_on_another_companys_route_is_refused_and_never_prices_its_seats(client, world, other_world):
    theirs = Fare.objects.filter(company_id=other_world.company_id).first()
    client.force_login(_staff(world.users["company_admin"]))
    form = {"company_id": str(world.company_id), "route_id": str(theirs.route_id),
            "from_stop_id": str(theirs.from_stop_id), "to_stop_id": str(theirs.to_stop_id), "seat_class": "standard",
            "amount_minor": "1", "currency": "KES"}
    theirs.delete()

    refused = client.post("/admin/ticketing/fare/add/", form)
    Fare.objects.create(**{**form, "amount_minor": 1})  # as if written past the admin: the readers ignore it
    with pytest.raises(ValidationFailed) as unpriced:
        trip_quote(trip_id=other_world.trip_id, from_stop_id=theirs.from_stop_id, to_stop_id=theirs.to_stop_id,
                   passengers=[("1A", "adult")])

    assert refused.status_code == 200
    assert "No such route in this company." in refused.content.decode()
    assert unpriced.value.code == "no_fare"
