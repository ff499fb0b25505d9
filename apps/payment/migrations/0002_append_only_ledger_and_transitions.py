"""The ledger and the payment transitions are append-only: the database refuses UPDATE and DELETE of their
rows, whatever the application (or a hand in psql) does. A mistake is corrected by a new row."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION payment_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""
TABLES = ("payment_ledgerentry", "payment_paymenttransition")


def _trigger(table: str) -> str:
    return (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION payment_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("payment", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS payment_refuse_change();"),
        *[migrations.RunSQL(_trigger(table), f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
          for table in TABLES],
    ]
