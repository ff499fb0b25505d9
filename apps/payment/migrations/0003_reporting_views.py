"""Payment's reporting views (transport/reporting.py): payments and refunds, for operators' questions."""

from django.db import migrations

from transport.reporting import SETTING_TENANT, ReportingViewSql, reporting_view

# The views as created here (their later migrations re-create them from this).
VIEWS = (
    ReportingViewSql(
        "reporting_payments",
        """SELECT p.id AS payment_id, p.company_id, p.provider, p.subject, p.amount_minor, p.currency,
                  p.state, p.created_at, CASE WHEN p.state = 'succeeded' THEN p.settled_at END AS succeeded_at
           FROM payment_payment p""",
        company_column="p.company_id",
    ),
    ReportingViewSql(
        "reporting_refunds",
        """SELECT r.id AS refund_id, r.company_id, r.payment_id, p.provider, r.amount_minor, r.currency,
                  r.reason, r.state, r.created_at, r.settled_at
           FROM payment_refund r
           JOIN payment_payment p ON p.id = r.payment_id""",
        company_column="r.company_id",
    ),
)


class Migration(migrations.Migration):

    dependencies = [
        ("payment", "0002_append_only_ledger_and_transitions"),
    ]

    operations = [reporting_view(view, tenant=SETTING_TENANT) for view in VIEWS]
