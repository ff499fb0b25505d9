"""The query of the GTFS-Realtime endpoints."""

from __future__ import annotations

from rest_framework import serializers

from transport.http.serializers import StrictSerializer

FORMATS = ("protobuf", "json")


class FeedFormatIn(StrictSerializer):
    format = serializers.ChoiceField(
        FORMATS, required=False, default="protobuf",
        help_text="protobuf (application/x-protobuf, what feed consumers read) or json (protobuf's JSON mapping of "
                  "the same FeedMessage, for people debugging)")
