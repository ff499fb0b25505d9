from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IdentityConfig(AppConfig):
    name = "apps.auth"
    label = "identity"
    verbose_name = "Identity and access"

    def ready(self) -> None:
        from apps.auth import receivers
        from apps.auth.roles import seed_roles

        post_migrate.connect(seed_roles, sender=self, dispatch_uid="identity.seed_roles")
        receivers.connect()
