from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TicketingConfig(AppConfig):
    name = "apps.ticketing"
    label = "ticketing"
    verbose_name = "Ticketing"

    def ready(self) -> None:
        from apps.ticketing.permissions import grant_role_permissions

        # after identity seeded its roles (it migrates first) and Django created this app's permissions
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="ticketing.grant_role_permissions")
