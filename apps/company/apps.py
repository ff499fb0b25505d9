from django.apps import AppConfig


class CompanyConfig(AppConfig):
    name = "apps.company"
    label = "company"
    verbose_name = "Company"
