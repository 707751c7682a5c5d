from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = _("Cities, departments and expert pool")

    def ready(self) -> None:
        # Imported once the app registry is ready (models may not be imported before): Django's rule for
        # ``ready``, not a way round an import cycle.
        from celery.signals import task_failure

        from cities.directory.services.roles import role_permissions_sync
        from cities.mail import sweeps  # noqa: F401  (registers the outbox with the sweeper)
        from cities.mail import tasks as mail_tasks  # noqa: F401  (registers the Celery tasks)
        from cities.operations import tasks as operations_tasks  # noqa: F401
        from cities.operations.failed_tasks import on_task_failure
        from cities.operations.metrics import FailedTaskCollector
        from koopstadt import metrics

        # A task that gave up after its last retry: kept for the failed-task page and the daily digest.
        task_failure.connect(on_task_failure, weak=False, dispatch_uid="koopstadt.failed_task_record")
        if not any(isinstance(c, FailedTaskCollector) for c in metrics.SCRAPE_COLLECTORS):
            metrics.SCRAPE_COLLECTORS.append(FailedTaskCollector())

        def _sync(**kwargs: object) -> None:
            role_permissions_sync()

        # Permissions only exist after migrate has run; assign them to the roles afterwards.
        post_migrate.connect(_sync, dispatch_uid="cities.role_permissions_sync", weak=False)
        self._connect_security_audit()
        self._connect_choice_lists()
        # manage.py check --deploy: the portal's own deployment checks.
        import koopstadt.checks  # noqa: F401

    @staticmethod
    def _connect_choice_lists() -> None:
        """The filter forms' cached option lists are renewed when a city, topic or person changes, the
        routing's vocabulary when a topic or a keyword does."""
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from cities.directory import choices
        from cities.directory.models import City, DepartmentKeyword, Topic, TopicKeyword, User
        from cities.directory.selectors import vocabulary_changed

        for signal, uid in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(choices.on_city_changed, sender=City, dispatch_uid=f"choices-city-{uid}")
            signal.connect(choices.on_topic_changed, sender=Topic, dispatch_uid=f"choices-topic-{uid}")
            signal.connect(choices.on_person_changed, sender=User, dispatch_uid=f"choices-person-{uid}")
            signal.connect(choices.on_group_changed, sender=Group, dispatch_uid=f"choices-group-{uid}")
        m2m_changed.connect(
            choices.on_roles_changed, sender=User.groups.through, dispatch_uid="choices-roles"
        )
        # The routing's vocabulary (cities.directory.selectors.vocabulary_stems).
        for signal, uid in ((post_save, "save"), (post_delete, "delete")):
            for model in (Topic, TopicKeyword, DepartmentKeyword):
                signal.connect(
                    vocabulary_changed, sender=model, dispatch_uid=f"vocabulary-{model.__name__}-{uid}"
                )

    @staticmethod
    def _connect_security_audit() -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth_signals
        from django.db.models.signals import m2m_changed, post_save, pre_save

        from cities.accounts import login_security
        from cities.directory.models import User
        from cities.operations import account_audit

        auth_signals.user_logged_in.connect(login_security.on_user_logged_in, dispatch_uid="audit-login")
        auth_signals.user_login_failed.connect(
            login_security.on_user_login_failed, dispatch_uid="audit-login-failed"
        )
        auth_signals.user_logged_out.connect(login_security.on_user_logged_out, dispatch_uid="audit-logout")
        user_locked_out.connect(login_security.on_user_locked_out, dispatch_uid="audit-lockout")
        m2m_changed.connect(
            account_audit.on_groups_changed, sender=User.groups.through, dispatch_uid="audit-roles"
        )
        pre_save.connect(account_audit.on_user_pre_save, sender=User, dispatch_uid="audit-user-before")
        post_save.connect(account_audit.on_user_post_save, sender=User, dispatch_uid="audit-user-after")
