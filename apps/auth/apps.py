from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "apps.auth"
    label = "identity"
    verbose_name = "Identity and access"
