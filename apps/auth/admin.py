"""Django admin for identity. A company admin sees only their companies' rows; changes that must be
logged (roles, devices, deactivation) go through the services, as admin actions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.auth.models import Device, Membership, Role, SecurityEvent, User
from apps.auth.services import accounts, devices
from transport.errors import DomainError
from transport.scoped_admin import ReadOnlyAdmin, admin_principal


def _run(request: HttpRequest, modeladmin: admin.ModelAdmin, action, rows) -> None:
    done = 0
    for row in rows:
        try:
            action(row)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{row}: {exc.detail}", messages.ERROR)
    modeladmin.message_user(request, f"{done} done.", messages.SUCCESS)


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["name", "company_id", "user", "role", "created_at", "revoked_at"]
    list_filter = ["role", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__email", "user__phone"]
    exclude = ["credential_hash"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected devices at once", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Device]) -> None:
        principal = admin_principal(request)
        _run(request, self, lambda d: devices.device_revoke(principal=principal, device_id=d.pk), queryset)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("identity.manage_devices")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "company_id", "role_names", "created_at"]
    list_filter = ["roles"]
    search_fields = ["user__email", "user__phone", "user__full_name", "=company_id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user").prefetch_related("roles")

    @admin.display(description="roles")
    def role_names(self, membership: Membership) -> str:
        return ", ".join(sorted(role.name for role in membership.roles.all()))


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "company_id", "actor_id", "subject_user_id", "client_address"]
    list_filter = ["kind"]
    search_fields = ["=actor_id", "=subject_user_id", "=company_id", "client_address"]
    date_hierarchy = "at"


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "is_global"]
    filter_horizontal = ["permissions"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # devices and memberships point at roles; removing one would orphan grants


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    company_field = "memberships__company_id"
    list_display = ["__str__", "full_name", "phone", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["email", "phone", "full_name"]
    fields = ["email", "phone", "full_name", "is_active", "is_staff", "date_joined", "last_login", "global_roles"]
    actions = ["deactivate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).distinct()  # a member of two of the admin's companies shows once

    @admin.action(description="Deactivate the selected users (sign-in, refresh and tokens stop at once)",
                  permissions=["deactivate"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        principal = admin_principal(request)
        _run(request, self, lambda u: accounts.user_deactivate(principal=principal, user_id=u.pk), queryset)

    def has_deactivate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("identity.change_user")
