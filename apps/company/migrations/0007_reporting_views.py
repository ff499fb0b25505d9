"""Company's reporting views (transport/reporting.py): trips and their stop times, for operators' questions."""

from django.db import migrations

from transport.reporting import SETTING_TENANT, ReportingViewSql, reporting_view

# The views as created here (their later migrations re-create them from this).
VIEWS = (
    ReportingViewSql(
        "reporting_trips",
        """SELECT t.id AS trip_id, t.company_id, t.route_id, r.name AS route_name, r.code AS route_code,
                  t.service_date, t.departure_at AS scheduled_departure, t.arrival_at AS scheduled_arrival,
                  t.status, t.delay_minutes, t.delay_reason, t.bus_id, b.plate AS bus_plate
           FROM company_trip t
           JOIN company_route r ON r.id = t.route_id
           JOIN company_bus b ON b.id = t.bus_id""",
        company_column="t.company_id",
    ),
    ReportingViewSql(
        "reporting_trip_stops",
        """SELECT ts.trip_id, t.company_id, ts.sequence, ts.stop_id, s.name AS stop_name, s.town,
                  ts.arrive_at AS scheduled_arrival, ts.depart_at AS scheduled_departure,
                  ts.arrived_at AS observed_arrival, ts.departed_at AS observed_departure
           FROM company_tripstop ts
           JOIN company_trip t ON t.id = ts.trip_id
           JOIN company_stop s ON s.id = ts.stop_id""",
        company_column="t.company_id",
    ),
)


class Migration(migrations.Migration):

    dependencies = [
        ("company", "0006_company_language"),
    ]

    operations = [reporting_view(view, tenant=SETTING_TENANT) for view in VIEWS]
