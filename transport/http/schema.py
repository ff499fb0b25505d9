"""The OpenAPI schema's view of the HTTP conventions (README, "HTTP API conventions"), written once for every view.

`ProblemAutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds to each operation what drf-spectacular cannot
see in its serializers:
- the error answers it can give, each an application/problem+json `Problem` (`transport.http.problems`);
- the Idempotency-Key header where the handler is `@idempotent`, required exactly where the handler requires it;
- for request bodies of strict serializers, `additionalProperties: false` (unknown fields are refused), and
  `minItems: 1` on lists that refuse to be empty.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from transport.http.idempotency import KEY_HEADER, KEY_PATTERN, key_requirement
from transport.http.problems import PROBLEM_CONTENT_TYPE
from transport.http.serializers import StrictSerializer

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

ERROR_DESCRIPTIONS = {
    400: "Malformed request: bad JSON, query or header, a field of the wrong shape, an unknown field",
    401: "No credential, or one that is expired, revoked or not valid",
    403: "The caller may not do this",
    404: "No such object for this caller (another company's ids answer 404 too)",
    406: "No acceptable representation for the Accept header",
    409: "The request conflicts with the current state (a seat taken, a request with this key still running)",
    413: "The request body is too large",
    415: "The request body is not JSON",
    422: "Well-formed, but against a business rule (or an Idempotency-Key reused with another body)",
    429: "Too many requests; Retry-After says when to try again",
    503: "A service we depend on is unavailable; try again",
}


class ProblemSerializer(serializers.Serializer[Any]):
    """An RFC 9457 problem: `code` is stable and meant for programs, `title` and `detail` for people."""

    type = serializers.CharField(help_text="A URI naming the kind of problem")
    title = serializers.CharField(help_text="A fixed summary of the kind of problem")
    status = serializers.IntegerField(help_text="The HTTP status")
    detail = serializers.CharField(help_text="This occurrence, in words")
    code = serializers.CharField(help_text="A stable identifier of the kind of problem")
    instance = serializers.CharField(required=False, help_text="The path that was asked for")
    request_id = serializers.CharField(required=False, help_text="Quote it when reporting a problem")
    errors = serializers.DictField(  # type: ignore[assignment]  # the problem's field, not Serializer.errors
       child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text='Messages per field: {"passengers.0.seat_label": ["..."]}')

    class Meta:
        ref_name = "Problem"


class ProblemAutoSchema(AutoSchema):
    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        required = key_requirement(handler)
        if required is not None:
            parameters.append(OpenApiParameter(
                KEY_HEADER, {"type": "string", "pattern": f"^{KEY_PATTERN}$"}, OpenApiParameter.HEADER,
                required=required,
                description="A new random value per distinct request: a retry with the same key and body replays "
                            "the first answer (Idempotent-Replayed: true); the same key with another body is 422.",
            ))
        return parameters

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        problem = self.resolve_serializer(ProblemSerializer, "response").ref
        for status in self.error_statuses(operation):
            operation["responses"].setdefault(str(status), {
                "description": ERROR_DESCRIPTIONS[status],
                "content": {PROBLEM_CONTENT_TYPE: {"schema": problem}},
            })
        return operation

    def error_statuses(self, operation: dict[str, Any]) -> list[int]:
        """The errors an operation can answer, from what it declares: credentials, permissions, parameters,
        a body, a method that writes."""
        locations = {parameter["in"] for parameter in operation.get("parameters", [])}
        has_body = "requestBody" in operation
        writes = self.method in UNSAFE_METHODS
        statuses = {400, 406}
        if self.view.get_authenticators() or writes:
            statuses.add(401)  # any credential sent is checked, even where none is needed; signing in may fail
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            statuses |= {401, 403}
        if locations & {"path", "query"} or has_body:
            statuses |= {404, 422}  # ids (or a page past the end) that name nothing; values against a rule
        if writes:
            statuses |= {409, 422, 429, 503}
        if has_body:
            statuses |= {413, 415}
        if self.view.get_throttles():
            statuses.add(429)
        return sorted(statuses)

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(force_instance(serializer), StrictSerializer):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and getattr(field, "allow_empty", True) is False and schema.get("type") == "array":
            schema["minItems"] = max(1, schema.get("minItems", 0))
        return schema
