"""The table binding a company to a question's transaction, which the reporting views filter on
(transport/reporting.py)."""

from django.db import migrations

from transport.reporting import binding_table


class Migration(migrations.Migration):

    dependencies = [
        ("transport", "0003_scheduled_retries_inbox_index"),
    ]

    operations = [binding_table()]
