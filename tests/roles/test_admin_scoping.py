"""The Django admin shows a member the rows of the companies where they may view them, not of every company
they belong to: a dispatcher in one company who drives for another sees only the first one's bookings."""

from __future__ import annotations

import pytest

from apps.auth.tests.factories import make_user
from apps.ticketing.tests.holding import hold
from tests.worlds.ticketing import build_sales_world

pytestmark = pytest.mark.django_db


def test_a_member_sees_only_the_companies_where_their_roles_grant_the_view(client):
    dispatching, driving = build_sales_world(), build_sales_world()
    mine = hold(dispatching, dispatching.principal("passenger"), "1A")
    hold(driving, driving.principal("passenger"), "1A")
    both = make_user(roles={dispatching.company_id: ["dispatcher"], driving.company_id: ["driver"]}, is_staff=True)
    client.force_login(both)

    bookings = client.get("/admin/ticketing/booking/")
    buses = client.get("/admin/company/bus/")

    assert list(bookings.context["cl"].queryset) == [mine]
    assert {bus.company_id for bus in buses.context["cl"].queryset} <= {dispatching.company_id}
