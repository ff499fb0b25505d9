"""The GTFS-Realtime endpoints as consumers call them: public (no credential, any Accept header), protobuf by
default and its JSON form on ?format=json, a FULL_DATASET 2.0 header stamped now, 404 problem for an unknown
company, 400 for a query they do not know, and served from the cache for a few seconds."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from google.protobuf import json_format
from google.transit import gtfs_realtime_pb2 as rt
from rest_framework.test import APIClient

from apps.tracking.tests.gtfs_rt import feed_url, read_feed, report_position, slug_of, under_way
from tests.worlds.boarding import delay
from tests.worlds.tracking import earlier_today, trip_today

pytestmark = pytest.mark.django_db

FEED_NAMES = ("vehicle-positions", "trip-updates", "alerts")


@pytest.mark.parametrize("feed", FEED_NAMES)
def test_a_feed_is_public_protobuf_with_a_full_dataset_header_stamped_now(world, feed):
    before = int(timezone.now().timestamp())

    answer = APIClient().get(feed_url(slug_of(world), feed), HTTP_ACCEPT="application/x-protobuf",
                             HTTP_AUTHORIZATION="Bearer not-a-token")

    after = int(timezone.now().timestamp())
    assert (answer.status_code, answer["Content-Type"]) == (200, "application/x-protobuf")
    message = rt.FeedMessage.FromString(answer.content)
    assert (message.header.gtfs_realtime_version, message.header.incrementality) == ("2.0",
                                                                                     rt.FeedHeader.FULL_DATASET)
    assert before <= message.header.timestamp <= after
    assert list(message.entity) == []  # the world's only trip leaves in two days, on time


@pytest.mark.parametrize("feed", FEED_NAMES)
def test_an_unknown_company_is_a_404_problem(world, feed):
    answer = APIClient().get(feed_url("no-such-line", feed), HTTP_ACCEPT="application/x-protobuf")

    assert (answer.status_code, answer["Content-Type"]) == (404, "application/problem+json")
    assert answer.json()["code"] == "not_found"


def test_the_json_form_is_the_same_feed_message(fleet):
    under_way(fleet.world)
    report_position(fleet.world, trip_id=fleet.trip_id)
    slug = slug_of(fleet.world)
    binary = read_feed(slug, "vehicle-positions")

    answer = APIClient().get(feed_url(slug, "vehicle-positions"), {"format": "json"})

    assert (answer.status_code, answer["Content-Type"]) == (200, "application/json")
    body = json.loads(answer.content)
    assert json_format.ParseDict(body, rt.FeedMessage()) == binary
    assert body["entity"][0]["vehicle"]["vehicle"]["id"] == str(fleet.bus_id)  # the specification's field names
    assert body["header"]["gtfs_realtime_version"] == "2.0"


@pytest.mark.parametrize("query", [{"format": "xml"}, {"format": ""}, {"format": "json\x00"}, {"since": "1"},
                                   {"format": "j" * 10_000}])
def test_a_query_the_feeds_do_not_know_is_a_400_problem(world, query):
    answer = APIClient().get(feed_url(slug_of(world), "alerts"), query)

    assert (answer.status_code, answer["Content-Type"]) == (400, "application/problem+json")


def test_a_feed_is_served_from_the_cache_for_a_few_seconds(world, settings):
    settings.TRACKING_GTFS_RT_CACHE_SECONDS = 60
    late = trip_today(world, earlier_today())
    slug = slug_of(world)
    first = read_feed(slug, "alerts")
    delay(world, 30, trip_id=late)

    cached = read_feed(slug, "alerts")
    other_feed = read_feed(slug, "trip-updates")

    assert list(first.entity) == list(cached.entity) == []
    assert cached.header.timestamp == first.header.timestamp
    assert [entity.id for entity in other_feed.entity] == [str(late)]  # built after the delay


def test_with_no_cache_period_every_read_builds_the_feed(world, settings):
    settings.TRACKING_GTFS_RT_CACHE_SECONDS = 0
    late = trip_today(world, earlier_today())
    slug = slug_of(world)
    first = read_feed(slug, "alerts")
    delay(world, 30, trip_id=late)

    second = read_feed(slug, "alerts")

    assert (list(first.entity), [entity.id for entity in second.entity]) == ([], [str(late)])
