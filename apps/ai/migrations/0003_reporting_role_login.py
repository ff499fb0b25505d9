"""The reporting role logs in (with settings.AI_REPORTING_PASSWORD when one is set): questions run on a connection
of their own as that role (apps/ai/reporting/role.py). `migrate` sets the password again every time (AiConfig.ready's
post_migrate receiver), so a new one takes effect with the next release."""

from django.db import migrations

from apps.ai.reporting import role


def forwards(apps, schema_editor):
    role.role_login(schema_editor.connection, role.configured_password())


def backwards(apps, schema_editor):
    role.role_no_login(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [("ai", "0002_question")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
