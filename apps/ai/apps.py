from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def reporting_grants_refresh(*, using: str, **_: Any) -> None:
    """After every `migrate`: the reporting role reads exactly the views published now (new views included), and
    logs in with the password configured now."""
    from apps.ai.reporting import catalog, role

    connection = connections[using]
    if role.role_exists(connection):
        role.password_refresh(connection, role.configured_password())
        role.grants_refresh(connection, catalog.reporting_view_names())


class AiConfig(AppConfig):
    name = "apps.ai"
    label = "ai"
    verbose_name = "Questions"

    def ready(self) -> None:
        from apps.ai.permissions import grant_role_permissions

        post_migrate.connect(reporting_grants_refresh, sender=self, dispatch_uid="ai.reporting_grants_refresh")
        # after identity seeded its roles (it migrates first) and Django created this app's permissions
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="ai.grant_role_permissions")
