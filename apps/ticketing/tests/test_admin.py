"""Django admin: staff see only their company's bookings; fares are edited only by who may set them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.ticketing.models import Fare
from apps.ticketing.tests.holding import hold

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
