"""Demo data for `make run`: each app's `demo.py` registers seeders, `seed_all()` runs them in order.

    @demo_seeder(order=10)
    def seed(out: DemoOutput) -> None:
        ...  # get_or_create / update_or_create only: `make run` seeds again on every start
        out.add_login(role="platform admin", username=ADMIN_EMAIL, password=demo_password())

    @demo_company_seeder(order=20)
    def seed_company(company: DemoCompany, out: DemoOutput) -> None:
        ...  # this app's part of one demo company (any slug), idempotent as well

    @demo_history_seeder(order=20)
    def seed_history(history: DemoHistory) -> None:
        ...  # this app's rows of the company's operating history: bulk inserts, ids from history.uuid()

Lower `order` runs first, so an app seeds after the apps whose rows it refers to. Every seeder runs in
its own transaction. The logins and notes collected are printed for the person starting the demo.
`seed_all()` runs the company seeders for each of DEMO_COMPANIES (at their order among the others), then gives
each demo company its operating history up to its local today (`demo_history`). `demo_company(slug)` makes one
more demo company the same way, and `demo_history(company_id, anchor=..., days=...)` its history.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.module_loading import autodiscover_modules

# Demo only: printed in the `make run` banner and in the README. Never use the demo seed in production.
DEFAULT_DEMO_PASSWORD = "transport-demo"  # noqa: S105

# The demo companies' fixed ids, shared by every app's demo (identity seeds their staff, company the
# companies themselves), so each app's seeder can refer to them without importing another's.
def demo_company_id(slug: str) -> uuid.UUID:
    """The fixed id of the demo company `slug` (alpha's and bravo's included)."""
    return uuid.uuid5(uuid.NAMESPACE_DNS, f"{slug}.demo.transport.dev")


DEMO_COMPANIES: dict[str, uuid.UUID] = {slug: demo_company_id(slug) for slug in ("alpha", "bravo")}

# How many local days of operating history `make run` gives each demo company, before its local today.
DEMO_HISTORY_DAYS = 28

# The demo's simulated bus, of the company named here: company's demo seeds it with a trip departing as the
# platform starts, tracking's registers a tracker app on it, which `tracking_simulate` then drives.
DEMO_SIMULATED_COMPANY = "alpha"
DEMO_SIMULATED_BUS = uuid.uuid5(uuid.NAMESPACE_DNS, f"simulated-bus.{DEMO_SIMULATED_COMPANY}.demo.transport.dev")


def demo_device_credential(slug: str, kind: str) -> str:
    """The printed credential of a demo company's POS ("pos") or driver ("driver") device. Demo data only."""
    return f"demo-{slug}-{kind}-device"


def demo_password() -> str:
    """The password of every demo login: DEMO_PASSWORD, else the documented demo default."""
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str  # the email address or E.164 phone number to sign in with
    password: str


@dataclass
class DemoOutput:
    logins: list[DemoLogin] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # printed below the banner, one command per line; "{base}" becomes the server's URL
    walkthrough: list[str] = field(default_factory=list)

    def add_login(self, *, role: str, username: str, password: str) -> None:
        self.logins.append(DemoLogin(role=role, username=username, password=password))

    def add_note(self, text: str) -> None:
        self.notes.append(text)

    def add_walkthrough(self, lines: list[str]) -> None:
        self.walkthrough.extend(lines)


@dataclass(frozen=True)
class DemoCompany:
    slug: str
    id: uuid.UUID


@dataclass(frozen=True)
class DemoHistory:
    """One company's operating history: the `days` local days before `anchor` (`anchor` itself excluded).

    Every seeder draws from its own `random()` and names its rows with `uuid()`, both functions of the company,
    anchor and days only: the same call writes the same rows, whatever else the database holds.
    """

    company_id: uuid.UUID
    anchor: date
    days: int

    @property
    def first_day(self) -> date:
        return self.anchor - timedelta(days=self.days)

    def day_list(self) -> list[date]:
        """The local days of the history, oldest first."""
        return [self.first_day + timedelta(days=offset) for offset in range(self.days)]

    def random(self, part: str) -> random.Random:
        """A generator of its own for one part of the history (each app's, each table's), so that what one part
        draws never shifts what another draws."""
        # demo data, not secrets: a seeded generator is the point
        return random.Random(f"{self.company_id}:{self.anchor.isoformat()}:{self.days}:{part}")  # noqa: S311

    def uuid(self, *names: object) -> uuid.UUID:
        """The id of one history row, named by what it is (say "booking", trip id, number)."""
        return uuid.uuid5(self.company_id, ":".join(str(name) for name in ("history", self.anchor, *names)))


Seeder = Callable[[DemoOutput], None]
CompanySeeder = Callable[[DemoCompany, DemoOutput], None]
HistorySeeder = Callable[[DemoHistory], None]
LocalToday = Callable[[uuid.UUID], date]
_S = TypeVar("_S")


class DemoRegistry:
    def __init__(self) -> None:
        self._seeders: dict[str, tuple[int, Seeder]] = {}
        self._company_seeders: dict[str, tuple[int, CompanySeeder]] = {}
        self._history_seeders: dict[str, tuple[int, HistorySeeder]] = {}
        self._local_today: LocalToday | None = None

    def register(self, *, order: int) -> Callable[[Seeder], Seeder]:
        def decorate(seeder: Seeder) -> Seeder:
            # keyed by name so that importing a demo module twice cannot run its seeder twice
            self._seeders[_key(seeder)] = (order, seeder)
            return seeder

        return decorate

    def register_company(self, *, order: int) -> Callable[[CompanySeeder], CompanySeeder]:
        def decorate(seeder: CompanySeeder) -> CompanySeeder:
            self._company_seeders[_key(seeder)] = (order, seeder)
            return seeder

        return decorate

    def register_history(self, *, order: int) -> Callable[[HistorySeeder], HistorySeeder]:
        def decorate(seeder: HistorySeeder) -> HistorySeeder:
            self._history_seeders[_key(seeder)] = (order, seeder)
            return seeder

        return decorate

    def register_local_today(self, local_today: LocalToday) -> LocalToday:
        self._local_today = local_today
        return local_today

    def run(self) -> DemoOutput:
        """Every seeder in order, each company seeder once per demo company; then the demo companies' history."""
        out = DemoOutput()
        steps: list[tuple[int, str, Callable[[], None]]] = [
            (order, key, functools.partial(seeder, out)) for key, (order, seeder) in self._seeders.items()]
        for slug, company_id in DEMO_COMPANIES.items():
            company = DemoCompany(slug=slug, id=company_id)
            steps += [(order, f"{key}:{slug}", functools.partial(seeder, company, out))
                      for key, (order, seeder) in self._company_seeders.items()]
        for _order, _key, step in sorted(steps, key=lambda step: step[:2]):
            with transaction.atomic():
                step()
        if self._local_today is not None:
            for company_id in DEMO_COMPANIES.values():
                self.history(company_id, anchor=self._local_today(company_id), days=DEMO_HISTORY_DAYS)
        return out

    def company(self, slug: str) -> uuid.UUID:
        company = DemoCompany(slug=slug, id=demo_company_id(slug))
        out = DemoOutput()
        for _key, (_order, seeder) in _in_order(self._company_seeders):
            with transaction.atomic():
                seeder(company, out)
        return company.id

    def history(self, company_id: uuid.UUID, *, anchor: date, days: int) -> None:
        from transport.models import DemoHistoryRecord  # the kernel's own table, loaded with the apps

        with transaction.atomic():
            if DemoHistoryRecord.objects.filter(company_id=company_id).exists():
                return
            history = DemoHistory(company_id=company_id, anchor=anchor, days=days)
            for _key, (_order, seeder) in _in_order(self._history_seeders):
                seeder(history)
            DemoHistoryRecord.objects.create(company_id=company_id, anchor=anchor, days=days)


def _key(seeder: Callable[..., None]) -> str:
    return f"{seeder.__module__}.{seeder.__qualname__}"


def _in_order(seeders: dict[str, tuple[int, _S]]) -> list[tuple[str, tuple[int, _S]]]:
    return sorted(seeders.items(), key=lambda item: (item[1][0], item[0]))


registry = DemoRegistry()


def demo_seeder(*, order: int = 100) -> Callable[[Seeder], Seeder]:
    return registry.register(order=order)


def demo_company_seeder(*, order: int = 100) -> Callable[[CompanySeeder], CompanySeeder]:
    """Register an app's part of one demo company: run for each of DEMO_COMPANIES by `seed_all`, and by
    `demo_company` for any other slug."""
    return registry.register_company(order=order)


def demo_history_seeder(*, order: int = 100) -> Callable[[HistorySeeder], HistorySeeder]:
    """Register an app's part of a demo company's operating history (`demo_history`)."""
    return registry.register_history(order=order)


def demo_local_today(local_today: LocalToday) -> LocalToday:
    """Register what a company's local today is (company's demo knows its timezone): `seed_all` anchors the demo
    companies' history there."""
    return registry.register_local_today(local_today)


def seed_all() -> DemoOutput:
    """Import every installed app's `demo` module (registering its seeders), then run them all."""
    autodiscover_modules("demo")
    return registry.run()


def demo_company(slug: str) -> uuid.UUID:
    """Create, or put back as seeded, one complete demo company for `slug`: its network, buses, seat layouts,
    schedules and the coming days' trips, its staff, devices, payment accounts and fares, as alpha and bravo get
    them (their ids and logins are these). Returns its id, a function of the slug."""
    autodiscover_modules("demo")
    return registry.company(slug)


def demo_history(company_id: uuid.UUID, *, anchor: date, days: int = DEMO_HISTORY_DAYS) -> None:
    """Give a demo company (from `demo_company`) its operating history: the `days` local days before `anchor`
    (`anchor` itself excluded), run as its schedules run, with sales on every channel, payments, refunds and
    boardings. A pure function of the company's network, `anchor` and `days`: ids are uuid5 names and every
    draw comes from a seeded generator, so the same call on the same network writes the same rows.

    Once a company has its history, any further call (the same anchor or another) changes nothing: one history
    per company, recorded with its anchor. `anchor` is meant to be at most the company's local today (a history
    in the future would run trips that have not happened)."""
    autodiscover_modules("demo")
    registry.history(company_id, anchor=anchor, days=days)


@contextlib.contextmanager
def recorded_times(*model_classes: type[models.Model]) -> Iterator[None]:
    """Inside it, bulk inserts of these models keep the times they are given in their `auto_now` and
    `auto_now_add` fields (a history row was made when it happened, not now). Demo data only: it switches the
    fields' flags for the process while it lasts."""
    switched: list[Any] = [model_field for model in model_classes for model_field in model._meta.concrete_fields
                           if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)]
    flags = [(model_field, model_field.auto_now, model_field.auto_now_add) for model_field in switched]
    for model_field in switched:
        model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in flags:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add
