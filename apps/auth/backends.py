"""A Django auth backend that gives a member their roles' permissions, so the Django admin can use them.

The admin asks `user.has_perm("identity.view_device")`; a company admin holds it through their role.
Which rows they then see is narrowed to their companies by each ModelAdmin (see admin.py).
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend

from apps.auth import selectors


class RolePermissionBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not getattr(user_obj, "is_active", False) or obj is not None:
            return set()
        cache_name = "_identity_role_perm_cache"
        if not hasattr(user_obj, cache_name):
            setattr(user_obj, cache_name, selectors.role_permissions_anywhere(user_id=user_obj.pk))
        return getattr(user_obj, cache_name)

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
