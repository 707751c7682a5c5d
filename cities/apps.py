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
        self._connect_security_audit()
        # manage.py check --deploy: the portal's own deployment checks.
        import koopstadt.checks  # noqa: F401

    @staticmethod
    def _connect_security_audit() -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth_signals
        from django.db.models.signals import m2m_changed, post_save, pre_save

        from cities.models import User
        from cities.services import account_audit, login_security

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
