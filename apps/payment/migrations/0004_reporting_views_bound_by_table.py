"""Payment's reporting views filtered on the company bound by a row of the binding table rather than by a
transaction setting the reporting role could change itself (transport/reporting.py)."""

from importlib import import_module

from django.db import migrations

from transport.reporting import BINDING_TENANT, SETTING_TENANT, reporting_view_retenant

VIEWS = import_module("apps.payment.migrations.0003_reporting_views").VIEWS


class Migration(migrations.Migration):

    dependencies = [
        ("payment", "0003_reporting_views"),
        ("transport", "0004_reporting_binding"),
    ]

    operations = [reporting_view_retenant(view, tenant=BINDING_TENANT, previous=SETTING_TENANT) for view in VIEWS]
