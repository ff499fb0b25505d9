"""Admin for the kernel: dead letters (with replay), the outbox, the inbox, retries waiting for their time."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from transport.events.models import DeadLetter, InboxRecord, OutboxMessage, ScheduledRetry
from transport.events.tasks import replay_dead_letter


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ["failed_at", "event", "handler", "event_id", "attempts", "replayed_at"]
    list_filter = ["event", "handler", "replayed_at"]
    search_fields = ["event_id", "handler", "error"]
    readonly_fields = [f.name for f in DeadLetter._meta.fields]
    actions = ["replay"]

    @admin.action(description="Replay the selected events to their handler")
    def replay(self, request: HttpRequest, queryset: QuerySet[DeadLetter]) -> None:
        replayed = sum(replay_dead_letter(letter.id) for letter in queryset)
        self.message_user(request, f"Replayed {replayed} event(s).", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "id", "published_at", "attempts"]
    list_filter = ["event", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["id", "event"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(InboxRecord)
class InboxRecordAdmin(admin.ModelAdmin):
    list_display = ["processed_at", "handler", "event_id"]
    search_fields = ["event_id", "handler"]
    readonly_fields = [f.name for f in InboxRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ScheduledRetry)
class ScheduledRetryAdmin(admin.ModelAdmin):
    list_display = ["due_at", "event", "handler", "event_id", "attempts"]
    list_filter = ["event", "handler"]
    search_fields = ["event_id", "handler", "last_error"]
    readonly_fields = [f.name for f in ScheduledRetry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
