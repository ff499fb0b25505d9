"""Rows that test handlers and test views write, so tests can count side effects exactly."""

from django.db import models


class Effect(models.Model):
    name = models.CharField(max_length=100)
    event_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
