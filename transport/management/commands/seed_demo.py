"""`manage.py seed_demo`: create or refresh the demo data of every app (idempotent) and print the logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from transport.demo import seed_all


class Command(BaseCommand):
    help = "Seed the demo data of every app (safe to run again) and print the demo logins."

    def handle(self, *args: object, **options: object) -> None:
        out = seed_all()
        self.stdout.write(f"Demo data seeded: {len(out.logins)} login(s).")
        for login in out.logins:
            self.stdout.write(f"  {login.role}: {login.username} / {login.password}")
        for note in out.notes:
            self.stdout.write(f"  {note}")
