"""Demo data for `make run`: each app's `demo.py` registers a seeder, `seed_all()` runs them in order.

    @demo_seeder(order=10)
    def seed(out: DemoOutput) -> None:
        ...  # get_or_create / update_or_create only: `make run` seeds again on every start
        out.add_login(role="platform admin", username=ADMIN_EMAIL, password=demo_password())

Lower `order` runs first, so an app seeds after the apps whose rows it refers to. Every seeder runs in
its own transaction. The logins and notes collected are printed for the person starting the demo.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

# Demo only: printed in the `make run` banner and in the README. Never use the demo seed in production.
DEFAULT_DEMO_PASSWORD = "transport-demo"  # noqa: S105

# The demo companies' fixed ids, shared by every app's demo (identity seeds their staff, company the
# companies themselves), so each app's seeder can refer to them without importing another's.
DEMO_COMPANIES: dict[str, uuid.UUID] = {
    slug: uuid.uuid5(uuid.NAMESPACE_DNS, f"{slug}.demo.transport.dev") for slug in ("alpha", "bravo")
}

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


Seeder = Callable[[DemoOutput], None]


class DemoRegistry:
    def __init__(self) -> None:
        self._seeders: dict[str, tuple[int, Seeder]] = {}

    def register(self, *, order: int) -> Callable[[Seeder], Seeder]:
        def decorate(seeder: Seeder) -> Seeder:
            # keyed by name so that importing a demo module twice cannot run its seeder twice
            self._seeders[f"{seeder.__module__}.{seeder.__qualname__}"] = (order, seeder)
            return seeder

        return decorate

    def run(self) -> DemoOutput:
        out = DemoOutput()
        for _key, (_order, seeder) in sorted(self._seeders.items(), key=lambda item: (item[1][0], item[0])):
            with transaction.atomic():
                seeder(out)
        return out


registry = DemoRegistry()


def demo_seeder(*, order: int = 100) -> Callable[[Seeder], Seeder]:
    return registry.register(order=order)


def seed_all() -> DemoOutput:
    """Import every installed app's `demo` module (registering its seeders), then run them all."""
    autodiscover_modules("demo")
    return registry.run()
