"""Django admin: allotments and POS sales are read-only there, and staff see only their company's rows."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.ticketing.models import PosSale, SeatAllotment
from apps.ticketing.tests.pos_devices import allot, register, sale, sync

pytestmark = pytest.mark.django_db


def _staff(user):
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize("who", ["company_admin", "dispatcher"])
def test_staff_see_their_companys_allotments_and_pos_sales_read_only(client, world, other_world, who):
    mine_device, their_device = register(world), register(other_world)
    allot(world, mine_device, "5A")
    allot(other_world, their_device, "5A")
    sync(mine_device, sale(world, "1A"))
    sync(their_device, sale(other_world, "1A"))
    client.force_login(_staff(world.users[who]))

    allotments = client.get("/admin/ticketing/seatallotment/")
    sales = client.get("/admin/ticketing/possale/")
    theirs = SeatAllotment.objects.get(company_id=other_world.company_id)
    mine = SeatAllotment.objects.get(company_id=world.company_id)

    assert allotments.status_code == sales.status_code == 200
    assert [a.company_id for a in allotments.context["cl"].queryset] == [world.company_id]
    assert [s.company_id for s in sales.context["cl"].queryset] == [world.company_id]
    assert client.get(f"/admin/ticketing/seatallotment/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/ticketing/seatallotment/{theirs.pk}/change/").status_code == 302
    assert client.get("/admin/ticketing/seatallotment/add/").status_code == 403
    assert client.post(f"/admin/ticketing/possale/{PosSale.objects.get(company_id=world.company_id).pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert PosSale.objects.count() == 2


def test_an_agent_does_not_open_them(client, world):
    client.force_login(_staff(world.users["agent"]))

    assert client.get("/admin/ticketing/seatallotment/").status_code == 403
    assert client.get("/admin/ticketing/possale/").status_code == 403
