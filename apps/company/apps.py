from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CompanyConfig(AppConfig):
    name = "apps.company"
    label = "company"
    verbose_name = "Company"

    def ready(self) -> None:
        from apps.company.permissions import grant_role_permissions

        # after identity seeded its roles (it migrates first) and Django created this app's permissions
        post_migrate.connect(grant_role_permissions, sender=self, dispatch_uid="company.grant_role_permissions")
