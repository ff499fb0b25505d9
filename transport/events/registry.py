"""Names of published signals and the handlers subscribed to them, found at start-up.

Each app's `signals.py` holds its published events as module-level `Signal()` objects; an event's
name is "<app label>.<attribute>". Each app's `receivers.py` declares handlers with `@subscriber`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.dispatch import Signal
from django.utils.module_loading import autodiscover_modules

from transport.events.payloads import EventPayload, EventSignal

_signal_names: dict[int, str] = {}
_payload_types: dict[str, type[EventPayload]] = {}
_handlers: dict[str, Callable[..., object]] = {}
_subscriptions: dict[str, list[str]] = {}


def discover() -> None:
    """Name the published signals of the project's own apps (not Django's or libraries')."""
    autodiscover_modules("signals")
    packages = tuple(f"{package}." for package in settings.TRANSPORT_EVENT_APP_PACKAGES)
    for config in apps.get_app_configs():
        if not config.name.startswith(packages):
            continue
        module = getattr(config.module, "signals", None)
        if module is None:
            continue
        for attr, value in vars(module).items():
            if isinstance(value, Signal):
                if not isinstance(value, EventSignal):
                    raise TypeError(f"{config.label}.{attr} is a bare Signal: declare it as "
                                    "EventSignal(<its payload dataclass>).")
                register_signal(value, f"{config.label}.{attr}")
    autodiscover_modules("receivers")


def register_signal(signal: EventSignal[EventPayload], name: str) -> None:
    from transport.events.publishing import write_outbox

    _signal_names[id(signal)] = name
    _payload_types[name] = signal.payload_type
    signal.connect(write_outbox, weak=False, dispatch_uid=f"transport.outbox:{name}")


def signal_name(signal: Signal) -> str:
    try:
        return _signal_names[id(signal)]
    except KeyError:
        raise LookupError(
            "This signal is not published: define it at module level in an app's signals.py."
        ) from None


def payload_type(event: str) -> type[EventPayload]:
    return _payload_types[event]


def published_events() -> dict[str, type[EventPayload]]:
    """Every published event's name and payload type."""
    return dict(_payload_types)


def register_handler(event: str, handler_name: str, func: Callable[..., object]) -> None:
    if handler_name in _handlers and _handlers[handler_name] is not func:
        raise ValueError(f"Two handlers are named {handler_name}.")
    _handlers[handler_name] = func
    names = _subscriptions.setdefault(event, [])
    if handler_name not in names:
        names.append(handler_name)


def handlers_for(event: str) -> list[str]:
    return list(_subscriptions.get(event, ()))


def handler(handler_name: str) -> Callable[..., object]:
    return _handlers[handler_name]
