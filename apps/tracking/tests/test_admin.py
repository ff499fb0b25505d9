"""Django admin: staff see and register only their company's trackers, on their company's buses."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.tracking.models import DispatchMessage, TrackerDevice

pytestmark = pytest.mark.django_db

ADD = "/admin/tracking/trackerdevice/add/"


def _staff(user):
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    return get_user_model().objects.get(pk=user.pk)


def test_a_dispatcher_sees_only_their_companys_trackers(client, fleet, other_fleet):
    client.force_login(_staff(fleet.world.users["dispatcher"]))

    page = client.get("/admin/tracking/trackerdevice/")

    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [fleet.tracker]
    assert client.get(f"/admin/tracking/trackerdevice/{other_fleet.tracker.pk}/change/").status_code == 302


def test_a_company_admin_registers_a_tracker_on_their_bus_only(client, fleet, other_fleet):
    client.force_login(_staff(fleet.world.users["company_admin"]))
    form = {"company_id": str(fleet.company_id), "bus_id": str(other_fleet.bus_id), "identifier": "4242",
            "name": "Box", "active": "on"}

    refused = client.post(ADD, form)
    taken = client.post(ADD, {**form, "bus_id": str(fleet.bus_id)})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {"bus_id": ["No such bus in this company."]}
    assert taken.status_code == 302
    assert TrackerDevice.objects.filter(identifier="4242").values_list("company_id", "bus_id").get() == (
        fleet.company_id, fleet.bus_id)


def test_an_agent_may_not_open_the_trackers(client, fleet):
    client.force_login(_staff(fleet.world.users["agent"]))

    assert client.get("/admin/tracking/trackerdevice/").status_code == 403
    assert client.get(ADD).status_code == 403


def test_staff_read_only_their_companys_dispatch_messages_and_change_none(client, fleet, other_fleet):
    for world in (fleet.world, other_fleet.world):
        world.client("dispatcher").post("/api/v1/tracking/dispatch-messages", {
            "driver_id": str(world.users["driver"].pk), "kind": "delay", "text": "Hold at the depot"}, format="json")
    mine = DispatchMessage.objects.get(company_id=fleet.company_id)
    client.force_login(_staff(fleet.world.users["dispatcher"]))

    page = client.get("/admin/tracking/dispatchmessage/")

    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [mine]
    assert client.get("/admin/tracking/dispatchmessage/add/").status_code == 403
    assert client.post(f"/admin/tracking/dispatchmessage/{mine.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DispatchMessage.objects.count() == 2
