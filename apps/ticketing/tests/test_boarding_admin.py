"""Django admin of boardings and scans: read-only, and each company's staff see only their own rows."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.ticketing.models import Boarding, BoardingScan
from tests.worlds.boarding import build_boarding_cast, device, roster, ticket

pytestmark = pytest.mark.django_db


def _staff(user):
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    return get_user_model().objects.get(pk=user.pk)


def _board(world, phone, seat: str) -> Boarding:
    issued = ticket(world, seat)
    phone.client.post("/api/v1/boarding/scan", {"trip_id": str(world.trip_id), "code": issued.code}, format="json")
    return Boarding.objects.get(ticket_id=issued.id)


def test_a_company_admin_sees_only_their_companys_boardings_and_scans_and_changes_none(client, world, other_world):
    mine = _board(world, build_boarding_cast(world).driver, "1A")
    roster(other_world, other_world.users["driver"])
    theirs = _board(other_world, device(other_world, other_world.users["driver"]), "1A")
    client.force_login(_staff(world.users["company_admin"]))

    boardings = client.get("/admin/ticketing/boarding/")
    scans = client.get("/admin/ticketing/boardingscan/")

    assert (boardings.status_code, scans.status_code) == (200, 200)
    assert list(boardings.context["cl"].queryset) == [mine]
    assert list(scans.context["cl"].queryset) == list(BoardingScan.objects.filter(company_id=world.company_id))
    assert client.get(f"/admin/ticketing/boarding/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/ticketing/boarding/{theirs.pk}/change/").status_code == 302
    assert client.get("/admin/ticketing/boarding/add/").status_code == 403
    assert client.post(f"/admin/ticketing/boarding/{mine.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Boarding.objects.count() == 2
