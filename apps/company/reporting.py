"""What company publishes for operators' questions: its reporting views, column by column (the migration
0007_reporting_views creates them). The model reads these descriptions, so they say what a value means."""

from __future__ import annotations

from transport.reporting import ReportingColumn, ReportingView

_TRIP_ID = ReportingColumn("trip_id", "uuid", "The trip")
_COMPANY_ID = ReportingColumn("company_id", "uuid", "The operator (always the asking company)")

TRIPS = ReportingView(
    name="reporting_trips",
    description="One row per trip: a bus running a route on a service date, with its timetable and delay.",
    columns=(
        _TRIP_ID,
        _COMPANY_ID,
        ReportingColumn("route_id", "uuid", "The route"),
        ReportingColumn("route_name", "text", "The route's name, e.g. 'Nairobi - Kisumu'"),
        ReportingColumn("route_code", "text", "The route's short code shown to passengers, e.g. 'NBI-KSM'"),
        ReportingColumn("service_date", "date", "Local date of departure at the first stop"),
        ReportingColumn("scheduled_departure", "timestamptz", "Timetabled departure from the first stop"),
        ReportingColumn("scheduled_arrival", "timestamptz", "Timetabled arrival at the last stop"),
        ReportingColumn("status", "text",
                        "scheduled, boarding, departed, arrived or cancelled (see the trip's lifecycle)"),
        ReportingColumn("delay_minutes", "integer", "Latest announced or observed delay in minutes (0: on time)"),
        ReportingColumn("delay_reason", "text", "Why it is late, as announced (empty if none)"),
        ReportingColumn("bus_id", "uuid", "The bus running it"),
        ReportingColumn("bus_plate", "text", "That bus's registration plate"),
    ),
)

TRIP_STOPS = ReportingView(
    name="reporting_trip_stops",
    description="One row per stop of a trip, in route order: timetabled times and what the bus was seen to do.",
    columns=(
        _TRIP_ID,
        _COMPANY_ID,
        ReportingColumn("sequence", "integer", "Position of the stop on the route, 1 for the first"),
        ReportingColumn("stop_id", "uuid", "The stop"),
        ReportingColumn("stop_name", "text", "The stop's name"),
        ReportingColumn("town", "text", "The stop's town"),
        ReportingColumn("scheduled_arrival", "timestamptz", "Timetabled arrival at the stop"),
        ReportingColumn("scheduled_departure", "timestamptz", "Timetabled departure from the stop"),
        ReportingColumn("observed_arrival", "timestamptz", "When the bus was seen arriving (null: not seen yet)"),
        ReportingColumn("observed_departure", "timestamptz", "When the bus was seen leaving (null: not seen yet)"),
    ),
)


def reporting_views() -> list[ReportingView]:
    return [TRIPS, TRIP_STOPS]
