from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "exchanges"
    verbose_name = _("C+R exchanges")

    def ready(self) -> None:
        # Imported once the app registry is ready: they register the cycle's and the travel costs' work
        # with the sweeper (koopstadt/sweeping.py).
        from exchanges.cycle import sweeps as cycle_sweeps  # noqa: F401
        from exchanges.cycle import tasks as cycle_tasks  # noqa: F401  (registers the Celery tasks)
        from exchanges.notifications import tasks as notification_tasks  # noqa: F401
        from exchanges.privacy import tasks as privacy_tasks  # noqa: F401
        from exchanges.travel import hooks as travel_hooks  # noqa: F401  (trips on the request page)
        from exchanges.travel import sweeps as travel_sweeps  # noqa: F401
        from exchanges.travel import tasks as travel_tasks  # noqa: F401

        def _ensure_rate_sets(**kwargs: object) -> None:
            from exchanges.travel.rate_defaults import ensure_default_rate_sets

            # The model as the schema now is (``apps`` is the migration state just reached): after
            # migrating back to an older schema the current model would ask for columns not there yet.
            state = kwargs.get("apps")
            if state is not None:
                ensure_default_rate_sets(state.get_model("exchanges", "RateSet"))
            else:
                from exchanges.travel.models import RateSet

                ensure_default_rate_sets(RateSet)

        # Also after a test database flush, which empties the data migration's rows.
        post_migrate.connect(
            _ensure_rate_sets, sender=self, dispatch_uid="exchanges.default_rate_sets", weak=False
        )
