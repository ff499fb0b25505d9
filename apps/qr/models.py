"""Signing keys of ticket codes: ids and states only. The secrets are never stored (see keyring.py)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class QrSigningKey(models.Model):
    """One HMAC key: `active` signs (exactly one), `retired` only verifies; a deleted key verifies nothing.

    The id is the key id written into every code (a uint16 there; a smallint here: 32,767 rotations).
    The secret is derived from the id and QR_SIGNING_SECRET (keyring.py), so a database dump leaks no key.
    """

    class State(models.TextChoices):
        ACTIVE = "active", "Active (signs and verifies)"
        RETIRED = "retired", "Retired (verifies only)"

    id = models.PositiveSmallIntegerField(primary_key=True)
    state = models.CharField(max_length=8, choices=State.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "QR signing key"
        # rows change only through rotation (services.py): no add/change/delete permissions to hand out
        default_permissions = ("view",)
        permissions = [("rotate_qrsigningkey", "Can rotate the QR signing keys")]
        constraints = [
            # the database itself guarantees a single signing key, whatever races between processes
            models.UniqueConstraint(fields=["state"], condition=Q(state="active"), name="qr_one_active_key"),
            # a known state, and a retirement time exactly when retired
            models.CheckConstraint(
                condition=Q(state="active", retired_at__isnull=True) | Q(state="retired", retired_at__isnull=False),
                name="qr_key_state_consistent",
            ),
            models.CheckConstraint(condition=Q(id__gte=1), name="qr_key_id_positive"),
        ]

    def __str__(self) -> str:
        return f"key {self.id} ({self.state})"
