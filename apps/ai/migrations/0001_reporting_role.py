"""The reporting role (apps/ai/reporting/role.py), granted the views that exist by now; `migrate` grants it the
views added later (AiConfig.ready's post_migrate receiver)."""

from django.db import migrations

from apps.ai.reporting import role


def forwards(apps, schema_editor):
    role.role_ensure(schema_editor.connection)
    role.grants_refresh(schema_editor.connection, ["reporting_trips", "reporting_trip_stops", "reporting_sales",
                                                   "reporting_boardings", "reporting_payments", "reporting_refunds"])


def backwards(apps, schema_editor):
    role.role_drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("company", "0007_reporting_views"),
        ("ticketing", "0005_reporting_views"),
        ("payment", "0003_reporting_views"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
