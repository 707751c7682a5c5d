"""Log-in with e-mail and password, with Django's model permissions only where they are used: the admin."""

from django.contrib.auth.backends import ModelBackend


class PortalModelBackend(ModelBackend):
    """Django's ``ModelBackend`` with two savings on every page (docs/performance.md).

    - The portal's own permissions are rules (``cities/rules.py``, ``exchanges/rules.py``); Django's
      model permissions (``view_…``, ``change_…``) only govern the admin site, which only staff
      accounts can enter. For everyone else they are empty without asking the database, so the
      navigation's permission checks no longer load two permission tables per request.
    - The signed-in user is read with the expert profile the navigation asks for.
    """

    def _get_permissions(self, user_obj, obj, from_name):  # type: ignore[no-untyped-def]
        if user_obj.is_active and not (user_obj.is_staff or user_obj.is_superuser):
            return set()
        return super()._get_permissions(user_obj, obj, from_name)

    def get_user(self, user_id):  # type: ignore[no-untyped-def]
        from cities.models import User

        user = User._default_manager.select_related("expert_profile").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
