"""A company's three feeds as FeedMessages (FULL_DATASET, version 2.0), serialized once per short period.

Each feed is built at most once every TRACKING_GTFS_RT_CACHE_SECONDS (10 s) per company, and kept serialized in
Django's cache (Redis) meanwhile, so a popular feed polled by many consumers costs one lookup of the company per
request and one build per period: a few queries and a Redis round trip. A feed is at most that much older than
its header's timestamp says, well inside what GTFS-Realtime consumers poll at (every 15-30 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from google.protobuf import json_format
from google.transit import gtfs_realtime_pb2 as rt

from apps.company import api as company_api
from apps.tracking.gtfs_realtime.alerts import alert_entities
from apps.tracking.gtfs_realtime.descriptors import posix
from apps.tracking.gtfs_realtime.trip_updates import trip_update_entities
from apps.tracking.gtfs_realtime.vehicle_positions import vehicle_entities

VERSION = "2.0"


class Feed(StrEnum):
    VEHICLE_POSITIONS = "vehicle-positions"
    TRIP_UPDATES = "trip-updates"
    ALERTS = "alerts"


class Entities(Protocol):
    def __call__(self, *, company: company_api.CompanySettings, trips: Sequence[company_api.ServiceDayTrip],
                 now: datetime) -> list[rt.FeedEntity]: ...


_ENTITIES: dict[Feed, Entities] = {
    Feed.VEHICLE_POSITIONS: vehicle_entities,
    Feed.TRIP_UPDATES: trip_update_entities,
    Feed.ALERTS: alert_entities,
}


def feed_message(*, company: company_api.CompanySettings, feed: Feed, now: datetime) -> rt.FeedMessage:
    """The feed as of `now`, over the company's trips of the service day."""
    trips = company_api.service_day_trips(company_id=company.company_id, now=now)
    header = rt.FeedHeader(gtfs_realtime_version=VERSION, incrementality=rt.FeedHeader.FULL_DATASET,
                           timestamp=posix(now))
    return rt.FeedMessage(header=header, entity=_ENTITIES[feed](company=company, trips=trips, now=now))


def _cache_key(company_id: UUID, feed: Feed) -> str:
    return f"tracking:gtfs-rt:{company_id}:{feed.value}"


def feed_bytes(*, slug: str, feed: Feed) -> bytes:
    """The company's feed in protobuf's binary form, from the cache when built less than the period ago.
    NotFound for no such company."""
    company = company_api.company_by_slug(slug=slug)
    key = _cache_key(company.company_id, feed)
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    data = feed_message(company=company, feed=feed, now=timezone.now()).SerializeToString()
    cache.set(key, data, timeout=settings.TRACKING_GTFS_RT_CACHE_SECONDS)
    return data


def json_form(data: bytes) -> str:
    """The same FeedMessage in protobuf's JSON mapping, with the field names of the specification (for people
    reading it; 64-bit numbers such as timestamps come as strings there)."""
    return json_format.MessageToJson(rt.FeedMessage.FromString(data), preserving_proto_field_name=True)
