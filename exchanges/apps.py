from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "exchanges"
    verbose_name = _("C+R exchanges")

    def ready(self) -> None:
        def _ensure_rate_sets(**kwargs: object) -> None:
            from exchanges.models import RateSet
            from exchanges.rate_defaults import ensure_default_rate_sets

            ensure_default_rate_sets(RateSet)

        # Also after a test database flush, which empties the data migration's rows.
        post_migrate.connect(
            _ensure_rate_sets, sender=self, dispatch_uid="exchanges.default_rate_sets", weak=False
        )
