"""A passenger's message preferences over HTTP: their language, and no non-essential messages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.notification.models import ContactPreference

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/preferences"


def test_a_passenger_reads_and_changes_their_preferences(world):
    client = world.client("passenger")

    first = client.get(URL)
    changed = client.patch(URL, {"language": "sw", "opted_out": True}, format="json")
    back = client.patch(URL, {"language": ""}, format="json")

    assert first.json() == {"language": "", "opted_out": False}
    assert changed.status_code == 200 and changed.json() == {"language": "sw", "opted_out": True}
    assert back.json() == {"language": "", "opted_out": True}
    assert ContactPreference.objects.get(user_id=world.users["passenger"].pk).opted_out is True


@pytest.mark.parametrize("body", [
    {"language": "de"}, {"language": "sw\x00"}, {"language": 2**63}, {"language": ["sw"]}, {"language": None},
    {"opted_out": "maybe"}, {"opted_out": 2**63}, {"language": "x" * 100_000},
])
def test_bad_preferences_are_refused_and_change_nothing(world, body):
    client = world.client("passenger")
    client.patch(URL, {"language": "fr"}, format="json")

    refused = client.patch(URL, body, format="json")

    assert refused.status_code == 400
    assert refused["content-type"] == "application/problem+json"
    assert list(refused.json()["errors"]) == list(body)
    assert client.get(URL).json() == {"language": "fr", "opted_out": False}


def test_no_one_unsigned_has_preferences():
    assert APIClient().get(URL).status_code == 401
    assert APIClient().patch(URL, {"opted_out": True}, format="json").status_code == 401
    assert not ContactPreference.objects.exists()
