from django.apps import AppConfig


class TicketingConfig(AppConfig):
    name = "apps.ticketing"
    label = "ticketing"
    verbose_name = "Ticketing"
