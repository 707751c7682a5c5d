from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    """Development only: the demo data (``load_demo``), the load-data generator (``generate_load_data``)
    and the bench's hooks. Production does not install it (docs/architecture.md)."""

    name = "koopstadt.development"
    label = "development"
    verbose_name = "Development tools"
