"""Every reporting view the apps publish (each app's `reporting_views()` in its api.py), in one list."""

from __future__ import annotations

from apps.company import api as company_api
from apps.payment import api as payment_api
from apps.ticketing import api as ticketing_api
from transport.reporting import ReportingView


def reporting_views() -> list[ReportingView]:
    return [*company_api.reporting_views(), *ticketing_api.reporting_views(), *payment_api.reporting_views()]


def reporting_view_names() -> set[str]:
    return {view.name for view in reporting_views()}
