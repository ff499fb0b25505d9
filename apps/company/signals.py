"""The published events of company: bare Signal() objects with JSON-safe payloads.

Every payload carries trip_id, company_id and route_id (strings) and departure_at (ISO 8601, UTC).
"""

from django.dispatch import Signal

trip_cancelled = Signal()  # + reason
trip_delayed = Signal()  # + delay_minutes, reason
trip_bus_changed = Signal()  # + old_bus_id, new_bus_id, old_layout_version_id, new_layout_version_id
trip_boarding = Signal()  # + at (ISO 8601)
trip_departed = Signal()  # + at (ISO 8601)
trip_arrived = Signal()  # + at (ISO 8601)
