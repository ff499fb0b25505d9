"""Django admin: a company admin sees only their company's rows; trips are cancelled through the service."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from apps.company.models import Trip
from apps.company.tests.world import ad_hoc_trip
from transport.events.models import OutboxMessage


def _staff(user):
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    return get_user_model().objects.get(pk=user.pk)


def test_a_company_admin_sees_only_their_companys_rows(client, tenant_a, tenant_b):
    mine, theirs = ad_hoc_trip(tenant_a), ad_hoc_trip(tenant_b)
    client.force_login(_staff(tenant_a.users["company_admin"]))
    pages = {name: client.get(f"/admin/company/{name}/") for name in
             ("company", "seatlayout", "bus", "stop", "route", "schedule", "trip", "driverassignment")}
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    assert list(pages["trip"].context["cl"].queryset) == [mine]
    assert {b.company_id for b in pages["bus"].context["cl"].queryset} == {tenant_a.company.id}
    assert list(pages["company"].context["cl"].queryset) == [tenant_a.company]
    assert client.get(f"/admin/company/trip/{theirs.pk}/change/").status_code == 302


def test_search_and_filters_work(client, tenant_a):
    client.force_login(_staff(tenant_a.users["company_admin"]))
    found = client.get("/admin/company/bus/", {"q": "001A"})
    filtered = client.get("/admin/company/trip/", {"status__exact": "cancelled"})
    assert [b.plate for b in found.context["cl"].queryset] == ["KAL 001A"]
    assert list(filtered.context["cl"].queryset) == []


def test_cancelling_from_the_admin_goes_through_the_service(client, tenant_a):
    trip = ad_hoc_trip(tenant_a)
    client.force_login(_staff(tenant_a.users["company_admin"]))
    response = client.post("/admin/company/trip/", {"action": "cancel", "_selected_action": [str(trip.pk)]})
    assert response.status_code == 302
    assert Trip.objects.get(pk=trip.pk).status == "cancelled"
    assert OutboxMessage.objects.filter(event="company.trip_cancelled").count() == 1
