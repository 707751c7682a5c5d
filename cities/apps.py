from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = _("Cities, departments and expert pool")

    def ready(self) -> None:
        from cities.services.roles import role_permissions_sync

        def _sync(**kwargs: object) -> None:
            role_permissions_sync()

        # Permissions only exist after migrate has run; assign them to the roles afterwards.
        post_migrate.connect(_sync, dispatch_uid="cities.role_permissions_sync", weak=False)
