"""The kernel's record of the demo histories written (transport/demo.py): one per company, with its anchor."""

from __future__ import annotations

from django.db import models


class DemoHistoryRecord(models.Model):
    company_id = models.UUIDField(primary_key=True)
    anchor = models.DateField(help_text="The history covers the local days before this one")
    days = models.PositiveSmallIntegerField()
    seeded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "transport"

    def __str__(self) -> str:
        return f"demo history of {self.company_id}: {self.days} days before {self.anchor}"
