"""Django admin for the QR signing keys: a read-only list and a "rotate" action.

Keys are platform-wide, never a tenant's: only superusers, and staff explicitly holding the qr model
permissions ("qr.view_qrsigningkey", "qr.rotate_qrsigningkey"), see them. No row holds a secret.
Removal stays on the command line (`manage.py qr_keys remove <id>`): it voids tickets already sold.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.qr import services
from apps.qr.models import QrSigningKey


@admin.register(QrSigningKey)
class QrSigningKeyAdmin(admin.ModelAdmin):
    list_display = ["id", "state", "created_at", "retired_at"]
    list_filter = ["state"]
    readonly_fields = ["id", "state", "created_at", "retired_at"]
    actions = ["rotate"]

    @admin.action(description="Rotate: a new key signs, the active one retires (selection ignored)",
                  permissions=["rotate"])
    def rotate(self, request: HttpRequest, queryset: QuerySet) -> None:
        key = services.signing_key_rotate()
        self.message_user(request, f"Key {key.id} now signs new ticket codes; the previous key still verifies.",
                          messages.SUCCESS)

    def has_rotate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("qr.rotate_qrsigningkey")  # true for an active superuser too

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
