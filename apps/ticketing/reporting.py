"""What ticketing publishes for operators' questions: its reporting views, column by column (the migration
0005_reporting_views creates them). The model reads these descriptions, so they say what a value means."""

from __future__ import annotations

from transport.reporting import ReportingColumn, ReportingView

_COMPANY_ID = ReportingColumn("company_id", "uuid", "The operator (always the asking company)")

SALES = ReportingView(
    name="reporting_sales",
    description=("One row per booking: seats on one trip between two stops, sold online, at a counter or by a POS "
                 "device. Only state 'confirmed' is a sale that stands; revenue is the sum of total_minor of "
                 "confirmed bookings."),
    columns=(
        ReportingColumn("booking_id", "uuid", "The booking"),
        _COMPANY_ID,
        ReportingColumn("trip_id", "uuid", "The trip (reporting_trips.trip_id)"),
        ReportingColumn("route_id", "uuid", "The trip's route (reporting_trips.route_id)"),
        ReportingColumn("from_stop_id", "uuid", "Where the passengers board"),
        ReportingColumn("from_stop_name", "text", "Name of the boarding stop"),
        ReportingColumn("to_stop_id", "uuid", "Where the passengers alight"),
        ReportingColumn("to_stop_name", "text", "Name of the alighting stop"),
        ReportingColumn("channel", "text",
                        "online (by the passenger), counter (agent at a desk) or pos (agent's device)"),
        ReportingColumn("seats", "integer", "Number of seats (passengers) in the booking"),
        ReportingColumn("total_minor", "integer", "Price of the booking in minor units of currency (cents)"),
        ReportingColumn("currency", "text", "ISO 4217 currency of total_minor, e.g. KES"),
        ReportingColumn("state", "text", "held (awaiting payment), confirmed, cancelled, expired or conflict"),
        ReportingColumn("created_at", "timestamptz", "When the seats were taken"),
        ReportingColumn("confirmed_at", "timestamptz", "When it was paid and confirmed (null if never)"),
        ReportingColumn("cancelled_at", "timestamptz", "When it was cancelled (null if not)"),
        ReportingColumn("agent_user_id", "uuid", "The agent who sold it at a counter or POS (null for online)"),
        ReportingColumn("agent_name", "text", "That agent's full name (null for online)"),
    ),
)

BOARDINGS = ReportingView(
    name="reporting_boardings",
    description="One row per ticket that boarded: the first accepted scan of its QR code.",
    columns=(
        ReportingColumn("ticket_id", "uuid", "The ticket"),
        _COMPANY_ID,
        ReportingColumn("trip_id", "uuid", "The trip boarded (reporting_trips.trip_id)"),
        ReportingColumn("booking_id", "uuid", "The ticket's booking (reporting_sales.booking_id)"),
        ReportingColumn("seat_label", "text", "The seat, e.g. '3A'"),
        ReportingColumn("scanned_at", "timestamptz", "When the driver's device scanned it"),
        ReportingColumn("source", "text", "online (scanned with network) or offline (uploaded later)"),
    ),
)


def reporting_views() -> list[ReportingView]:
    return [SALES, BOARDINGS]
