from django.apps import AppConfig


class TransportConfig(AppConfig):
    name = "transport"
    verbose_name = "Platform kernel"

    def ready(self) -> None:
        from transport.events import registry

        registry.discover()
