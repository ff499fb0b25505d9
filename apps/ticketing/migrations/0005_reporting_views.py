"""Ticketing's reporting views (transport/reporting.py): sales and boardings, for operators' questions."""

from django.db import migrations

from transport.reporting import SETTING_TENANT, ReportingViewSql, reporting_view

# The views as created here (their later migrations re-create them from this).
VIEWS = (
    ReportingViewSql(
        "reporting_sales",
        """SELECT b.id AS booking_id, b.company_id, b.trip_id, b.route_id,
                  b.from_stop_id, fs.name AS from_stop_name, b.to_stop_id, ts.name AS to_stop_name,
                  b.channel, (SELECT count(*) FROM ticketing_passenger p WHERE p.booking_id = b.id) AS seats,
                  b.total_minor, b.currency, b.state, b.created_at, b.confirmed_at, b.cancelled_at,
                  CASE WHEN b.channel <> 'online' THEN b.created_by_user_id END AS agent_user_id,
                  CASE WHEN b.channel <> 'online' THEN u.full_name END AS agent_name
           FROM ticketing_booking b
           JOIN company_stop fs ON fs.id = b.from_stop_id
           JOIN company_stop ts ON ts.id = b.to_stop_id
           LEFT JOIN identity_user u ON u.id = b.created_by_user_id""",
        company_column="b.company_id",
    ),
    ReportingViewSql(
        "reporting_boardings",
        """SELECT bd.ticket_id, bd.company_id, bd.trip_id, t.booking_id, t.seat_label, bd.scanned_at,
                  bd.source
           FROM ticketing_boarding bd
           JOIN ticketing_ticket t ON t.id = bd.ticket_id""",
        company_column="bd.company_id",
    ),
)


class Migration(migrations.Migration):

    dependencies = [
        ("ticketing", "0004_booking_pay_reference"),
        ("company", "0007_reporting_views"),
        ("identity", "0001_initial"),
    ]

    operations = [reporting_view(view, tenant=SETTING_TENANT) for view in VIEWS]
