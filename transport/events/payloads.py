"""Typed event payloads, and how they may change while events wait in the outbox across deploys.

Each published event has a payload class beside its signal in the app's `signals.py`:

    @dataclass(frozen=True, kw_only=True)
    class TicketConfirmed(EventPayload):
        ticket_id: str
        seat: str

    ticket_confirmed = EventSignal(TicketConfirmed)

Fields hold JSON-safe values only: str, int, float, bool, None, lists and str-keyed dicts of those
(ids as strings, times as ISO 8601 strings, money as integer minor units). The class is checked when
the signal is created, and every payload when it is published and again when it is delivered.

Evolution rule (an outbox row, a broker message or a dead letter may be read by code newer than the
code that wrote it, and during a rolling deploy by older code too):
- additive changes only: a new field has a default, so a row written before it existed still decodes;
- consumers ignore fields they do not know, so a row written by newer code still decodes in older code;
- a change that is not additive (a rename, a removal, a new meaning) raises `VERSION` and registers an
  upcaster from the previous version in `UPCASTERS`, {previous version: function(old dict) -> dict of
  the next version}; rows carry the version they were written with (header "payload_version", 1 when
  absent) and are upcast step by step on delivery. A row newer than the consumer's code fails and is
  retried, and ends as a replayable dead letter if the deploy does not reach that worker in time.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, Self, TypeVar, Union, get_args, get_origin, get_type_hints

from django.dispatch import Signal

VERSION_HEADER = "payload_version"

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventPayload:
    """Base of every event payload: subclass it as a frozen, keyword-only dataclass."""

    VERSION: ClassVar[int] = 1
    UPCASTERS: ClassVar[Mapping[int, Upcaster]] = {}

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, version: int = 1) -> Self:
        """The payload a row holds, upcast from the version it was written with; unknown fields ignored."""
        if version > cls.VERSION:
            raise PayloadMismatch(f"{cls.__name__} version {version} is newer than this code's {cls.VERSION}.")
        fields = dict(data)
        for step in range(version, cls.VERSION):
            fields = cls.UPCASTERS[step](fields)
        known = {field.name for field in dataclasses.fields(cls)}
        try:
            payload = cls(**{name: value for name, value in fields.items() if name in known})
        except TypeError as exc:  # a field without a default missing: the row broke the evolution rule
            raise PayloadMismatch(f"{cls.__name__}: {exc}") from None
        check(payload, cls)
        return payload


P = TypeVar("P", bound=EventPayload)


class EventSignal(Signal, Generic[P]):
    """A published event: a Django signal that knows its payload type."""

    def __init__(self, payload_type: type[P]) -> None:
        require_json_safe_fields(payload_type)
        super().__init__()
        self.payload_type = payload_type


class PayloadMismatch(TypeError):
    """A payload that is not what its event declares."""


def check(payload: object, payload_type: type[EventPayload]) -> None:
    """Refuse anything but an instance of `payload_type` whose fields hold their declared JSON-safe types."""
    if type(payload) is not payload_type:
        raise PayloadMismatch(f"Expected a {payload_type.__name__} payload, got {type(payload).__name__}.")
    hints = _field_hints(payload_type)
    for field in dataclasses.fields(payload_type):
        value = getattr(payload, field.name)
        if not _conforms(value, hints[field.name]):
            raise PayloadMismatch(
                f"{payload_type.__name__}.{field.name} must be {_describe(hints[field.name])}, got {value!r}."
            )


def require_json_safe_fields(payload_type: type) -> None:
    """Refuse a payload class whose fields could hold something JSON does not carry back unchanged."""
    if not (isinstance(payload_type, type) and issubclass(payload_type, EventPayload)
            and dataclasses.is_dataclass(payload_type)):
        raise TypeError(f"{payload_type!r} is not an EventPayload dataclass.")
    # a subclass without its own @dataclass would inherit the base's (empty) fields and ignore its own
    params = vars(payload_type).get("__dataclass_params__")
    if params is None or not params.frozen:
        raise TypeError(f"{payload_type.__name__} must be a frozen dataclass of its own: "
                        "@dataclass(frozen=True, kw_only=True).")
    for name, hint in get_type_hints(payload_type).items():
        if name in ("VERSION", "UPCASTERS"):
            continue
        if not _is_json_safe_hint(hint):
            raise TypeError(f"{payload_type.__name__}.{name}: {_describe(hint)} is not a JSON-safe type.")
    missing = [step for step in range(1, payload_type.VERSION) if step not in payload_type.UPCASTERS]
    if missing:
        raise TypeError(f"{payload_type.__name__} is at version {payload_type.VERSION} but has no upcaster "
                        f"from version(s) {missing}.")


_SCALARS = (str, int, float, bool, type(None))


_hints: dict[type, dict[str, Any]] = {}


def _field_hints(payload_type: type) -> dict[str, Any]:
    """Resolved once per class: every publish and delivery checks against them."""
    if payload_type not in _hints:
        _hints[payload_type] = get_type_hints(payload_type)
    return _hints[payload_type]


def _is_json_safe_hint(hint: Any) -> bool:
    origin = get_origin(hint)
    if hint is Any:
        return False
    if origin in (Union, types.UnionType):
        return all(_is_json_safe_hint(arg) for arg in get_args(hint))
    if origin is list:
        return _is_json_safe_hint(get_args(hint)[0])
    if origin is dict:
        key, value = get_args(hint)
        return key is str and _is_json_safe_hint(value)
    return hint in _SCALARS


def _conforms(value: object, hint: Any) -> bool:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(_conforms(value, arg) for arg in get_args(hint))
    if origin is list:
        return type(value) is list and all(_conforms(item, get_args(hint)[0]) for item in value)
    if origin is dict:
        return type(value) is dict and all(
            type(key) is str and _conforms(item, get_args(hint)[1]) for key, item in value.items()
        )
    if hint is type(None):
        return value is None
    if hint is float:
        return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]
    return type(value) is hint  # exact: a bool is no int here, a UUID no str


def _describe(hint: Any) -> str:
    return hint.__name__ if isinstance(hint, type) else str(hint)
