"""Ticketing's permissions and the identity roles that bundle them (added after every migrate)."""

from __future__ import annotations

from apps.auth import api as auth_api

VIEW_BOOKINGS = "ticketing.view_bookings"
CONFIRM_BOOKING = "ticketing.confirm_booking"
CANCEL_BOOKINGS = "ticketing.cancel_bookings"
VIEW_SALES = "ticketing.view_sales"
MANAGE_FARES = "ticketing.manage_fares"
SELL_POS = "ticketing.sell_pos"
MANAGE_ALLOTMENTS = "ticketing.manage_allotments"
BOARD_PASSENGERS = "ticketing.board_passengers"

_ALL = [VIEW_BOOKINGS, CONFIRM_BOOKING, CANCEL_BOOKINGS, VIEW_SALES, MANAGE_FARES, MANAGE_ALLOTMENTS]
# the Django admin's model permissions: admin.py narrows the rows to the member's companies
_ADMIN_VIEW = [f"ticketing.view_{model}" for model in ("booking", "ticket", "fare", "farerule", "promocode",
                                                        "boarding", "boardingscan", "seatallotment", "possale")]
_ADMIN_FARES = [f"ticketing.{action}_{model}" for action in ("add", "change", "delete")
                for model in ("fare", "farerule", "promocode")]

ROLE_GRANTS: dict[str, list[str]] = {
    "platform_admin": [*_ALL, *_ADMIN_VIEW],
    "company_admin": [*_ALL, *_ADMIN_VIEW, *_ADMIN_FARES],
    "dispatcher": [VIEW_BOOKINGS, VIEW_SALES, MANAGE_ALLOTMENTS, "ticketing.view_booking", "ticketing.view_ticket",
                   "ticketing.view_seatallotment", "ticketing.view_possale"],
    "agent": [VIEW_BOOKINGS, CONFIRM_BOOKING, SELL_POS],
    "driver": [BOARD_PASSENGERS],
}


def grant_role_permissions(**_kwargs) -> None:
    auth_api.roles_grant_permissions(grants=ROLE_GRANTS)
