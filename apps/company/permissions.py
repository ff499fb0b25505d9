"""Company's permissions and the identity roles that bundle them (added after every migrate)."""

from __future__ import annotations

from apps.auth import api as auth_api

MANAGE_COMPANY = "company.manage_company"
MANAGE_FLEET = "company.manage_fleet"
MANAGE_NETWORK = "company.manage_network"
MANAGE_TRIPS = "company.manage_trips"
MANAGE_ROSTERS = "company.manage_rosters"
VIEW_TRIPS = "company.view_trips"
VIEW_OWN_TRIPS = "company.view_own_trips"
# held by no role: tracking's system principal records what a trip's bus is observed to do
RECORD_PROGRESS = "company.record_progress"

_ALL = [MANAGE_COMPANY, MANAGE_FLEET, MANAGE_NETWORK, MANAGE_TRIPS, MANAGE_ROSTERS, VIEW_TRIPS, VIEW_OWN_TRIPS]
# the Django admin's model permissions: admin.py narrows the rows to the member's companies
_ADMIN_VIEW = [f"company.view_{model}" for model in (
    "company", "seatlayout", "seatlayoutversion", "bus", "stop", "route", "routestop", "schedule",
    "scheduleexception", "trip", "tripstop", "driverassignment")]
_DISPATCH_VIEW = ["company.view_trip", "company.view_tripstop", "company.view_driverassignment",
                  "company.view_schedule", "company.view_route", "company.view_stop", "company.view_bus"]

ROLE_GRANTS: dict[str, list[str]] = {
    "platform_admin": [*_ALL, *_ADMIN_VIEW],
    "company_admin": [*_ALL, *_ADMIN_VIEW],
    "dispatcher": [MANAGE_TRIPS, MANAGE_ROSTERS, VIEW_TRIPS, *_DISPATCH_VIEW],
    "agent": [VIEW_TRIPS],
    "driver": [VIEW_OWN_TRIPS],
}


def grant_role_permissions(**_kwargs) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
