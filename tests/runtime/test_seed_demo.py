"""`seed_demo` is idempotent: it can run on every `make run` and always leaves the printed logins true."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from apps.auth.demo import ADMIN_EMAIL
from apps.auth.models import User
from transport.demo import DemoOutput, DemoRegistry

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seeding_twice_creates_the_admin_once():
    first = seed_demo()
    second = seed_demo()

    admins = User.objects.filter(email=ADMIN_EMAIL)
    assert admins.count() == 1
    admin = admins.get()
    assert (admin.is_active, admin.is_staff, admin.is_superuser) == (True, True, True)
    assert admin.check_password("transport-demo")
    assert f"  platform admin: {ADMIN_EMAIL} / transport-demo\n" in first
    assert first == second


def test_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-secret")

    output = seed_demo()

    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.check_password("another-demo-secret")
    assert not admin.check_password("transport-demo")
    assert f"  platform admin: {ADMIN_EMAIL} / another-demo-secret\n" in output


def test_seeding_again_restores_an_admin_changed_in_the_demo():
    seed_demo()
    admin = User.objects.get(email=ADMIN_EMAIL)
    admin.set_password("changed-in-the-admin")
    admin.is_superuser = False
    admin.save()

    seed_demo()

    assert User.objects.filter(email=ADMIN_EMAIL).count() == 1
    admin.refresh_from_db()
    assert admin.is_superuser is True
    assert admin.check_password("transport-demo")


def test_seeders_run_in_order_once_each_however_often_registered():
    registry = DemoRegistry()

    @registry.register(order=20)
    def later(out: DemoOutput) -> None:
        out.add_note("later")

    @registry.register(order=10)
    def earlier(out: DemoOutput) -> None:
        out.add_note("earlier")

    registry.register(order=20)(later)

    output = registry.run()

    assert output.notes == ["earlier", "later"]
    assert output.logins == []
