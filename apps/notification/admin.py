"""Django admin for notification: the company's deliveries with their log (what was sent to whom, when, and what
the gateway said), searchable by ticket; dead and failed ones replayed by an action. Messages are never written
here: events make them. Passengers' preferences are read here (they change them themselves)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.notification.models import ContactPreference, Delivery, DeliveryLogEntry
from apps.notification.permissions import REPLAY_DELIVERY
from apps.notification.services.replays import REPLAYABLE, delivery_replay
from apps.notification.sms import admin as sms_admin  # noqa: F401  (registers companies' SMS accounts)
from apps.notification.templating import admin as templating_admin  # noqa: F401  (registers template overrides)
from transport.errors import DomainError
from transport.scoped_admin import NoWrites, ReadOnlyAdmin, ReadOnlyInline, admin_principal


class DeliveryLogInline(ReadOnlyInline):
    model = DeliveryLogEntry
    fields = ("at", "kind", "status", "code", "detail")
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event_type", "channel", "recipient", "language", "status", "attempts",
                    "segments", "cost", "ticket_id"]
    list_filter = ["status", "channel", "event_type", "language", "backend"]
    search_fields = ["=ticket_id", "=booking_id", "recipient", "provider_message_id", "=event_id"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    inlines = [DeliveryLogInline]
    actions = ["replay"]
    ordering = ["-created_at"]

    @admin.action(description="Send the selected dead or failed messages again")
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        principal = admin_principal(request)
        replayed = refused = 0
        for delivery in queryset.filter(status__in=REPLAYABLE):
            try:
                delivery_replay(principal=principal, delivery_id=delivery.pk)
            except DomainError:
                refused += 1
            else:
                replayed += 1
        skipped = queryset.exclude(status__in=REPLAYABLE).count()
        self.message_user(request, f"{replayed} queued again; {refused} refused (permission); {skipped} not dead "
                                   "or failed, left alone.", messages.SUCCESS if replayed else messages.WARNING)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not admin_principal(request).has(REPLAY_DELIVERY):
            actions.pop("replay", None)
        return actions


@admin.register(ContactPreference)
class ContactPreferenceAdmin(NoWrites, admin.ModelAdmin):
    list_display = ["user_id", "address", "language", "opted_out", "updated_at"]
    list_filter = ["language", "opted_out"]
    search_fields = ["=user_id", "address"]

