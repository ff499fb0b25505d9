"""Serializers that refuse what they do not know: a misspelt or stale field is an error, not silence.

Every API serializer inherits `StrictSerializer` or `StrictModelSerializer`. A key in the body that
names no field of the serializer is reported as {"<key>": ["Unknown field."]} next to the other field
errors (400 validation_failed). Read-only fields are known, so a client may send back what it read.
Nested strict serializers report theirs under the dotted path ("address.flat").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

UNKNOWN_FIELD_MESSAGE = "Unknown field."


class StrictSerializer(serializers.Serializer[Any]):
    """Add "Unknown field." errors to the ones the serializer finds itself."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = _unknown_keys(data, known=self.fields.keys())
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                exc.detail.update({key: [serializers.ErrorDetail(UNKNOWN_FIELD_MESSAGE, code="unknown")]
                                   for key in unknown})
            raise
        if unknown:
            raise serializers.ValidationError({key: [UNKNOWN_FIELD_MESSAGE] for key in unknown}, code="unknown")
        return value


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer[Any]):
    pass


def _unknown_keys(data: Any, *, known: Any) -> list[str]:
    if not isinstance(data, Mapping):
        return []  # the serializer itself answers "Expected a dictionary" for a list or a string
    return sorted(str(key) for key in data if key not in known)
