"""Writing one row of an operator's edit: the two steps every update and delete here share."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError

from transport.errors import Conflict


def save_changes(row: models.Model, values: dict[str, Any], *, taken: Conflict) -> None:
    """Set `values` on `row` and save only those fields; a unique clash becomes `taken`, nothing written."""
    for field, value in values.items():
        setattr(row, field, value)
    try:
        with transaction.atomic():
            row.save(update_fields=list(values))
    except IntegrityError as exc:
        raise taken from exc


def delete_unless_used(row: models.Model, *, in_use: Conflict) -> None:
    """Delete `row`; when protected rows still refer to it, raise `in_use` and delete nothing."""
    try:
        with transaction.atomic():
            row.delete()
    except ProtectedError as exc:
        raise in_use from exc
