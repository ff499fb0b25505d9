"""Fixtures of ai's tests: the Gemini emulator, and two companies with sales (tests/worlds): what questions' SQL
reads, and must never mix."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest

from apps.ai.reporting import catalog
from apps.ai.tests.gemini_emulator import *  # noqa: F403  (the Gemini emulator)
from tests.worlds.boarding import ticket
from tests.worlds.ticketing import SalesWorld, build_sales_world


@dataclass(frozen=True)
class SoldCompany:
    world: SalesWorld
    booking_ids: frozenset[UUID]

    @property
    def company_id(self) -> UUID:
        return self.world.company_id


def sold_company(seats: tuple[str, ...]) -> SoldCompany:
    world = build_sales_world()
    return SoldCompany(world=world, booking_ids=frozenset(ticket(world, seat).booking_id for seat in seats))


@pytest.fixture
def ours(db) -> SoldCompany:
    return sold_company(("1A", "1B"))


@pytest.fixture
def theirs(db) -> SoldCompany:
    return sold_company(("2A", "2B", "3A"))


@pytest.fixture
def views() -> set[str]:
    return catalog.reporting_view_names()
