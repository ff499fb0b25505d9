"""`manage.py qr_keys list | rotate | remove <id>`: the signing keys of ticket codes, from a shell."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.qr import services
from transport.errors import DomainError


class Command(BaseCommand):
    help = "List, rotate or remove the keys that sign ticket codes (secrets are never shown)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="Every key with its state.")
        actions.add_parser("rotate", help="A new key signs from now on; the active one retires and keeps verifying.")
        remove = actions.add_parser("remove", help="Delete a retired key: its codes stop verifying.")
        remove.add_argument("key_id", type=int)

    def handle(self, *args, action: str, key_id: int | None = None, **options) -> None:
        if action == "list":
            for key in services.signing_key_list():
                retired = f" retired {key.retired_at.isoformat()}" if key.retired_at else ""
                self.stdout.write(f"{key.id}\t{key.state}\tcreated {key.created_at.isoformat()}{retired}")
        elif action == "rotate":
            key = services.signing_key_rotate()
            self.stdout.write(f"Key {key.id} is active; the previous key is retired and still verifies.")
        else:
            assert key_id is not None  # the remove parser requires it
            try:
                services.signing_key_remove(key_id=key_id)
            except DomainError as exc:
                raise CommandError(exc.detail) from exc
            self.stdout.write(f"Key {key_id} removed; codes it signed now answer unknown_key.")
