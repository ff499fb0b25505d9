"""The security log: one row per sign-in, token reuse, role, membership or device change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from apps.auth.models import SecurityEvent

Kind = SecurityEvent.Kind


def record(
    kind: str,
    *,
    actor_id: UUID | None = None,
    subject_user_id: UUID | None = None,
    company_id: UUID | None = None,
    client_address: str | None = None,
    **detail: Any,
) -> None:
    SecurityEvent.objects.create(
        kind=kind,
        actor_id=actor_id,
        subject_user_id=subject_user_id,
        company_id=company_id,
        client_address=client_address or None,
        detail=detail,
    )
