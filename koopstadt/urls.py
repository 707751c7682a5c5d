from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cities.accounts import sso_views
from cities.accounts import views as account_views
from cities.accounts.forms import EmailAuthenticationForm, OutboxPasswordResetForm
from cities.operations import views as ops_views
from exchanges.portal import views
from exchanges.privacy import views as privacy_views
from koopstadt import health, metrics

admin.site.site_header = _("koopstadt C+R administration")
admin.site.site_title = _("koopstadt C+R")
admin.site.index_title = _("Master data")

account_patterns = [
    path(
        "anmelden/",
        account_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Single sign-on (docs/sso.md): both answer 404 while it is not configured. The names are the ones
    # mozilla-django-oidc expects; its own urls module is not included, log-out stays the portal's own.
    path("oidc/authenticate/", sso_views.SsoStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", sso_views.SsoCallbackView.as_view(), name="oidc_authentication_callback"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("passwort/", account_views.AuditedPasswordChangeView.as_view(), name="password_change"),
    path("passwort/fertig/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "passwort-vergessen/",
        auth_views.PasswordResetView.as_view(form_class=OutboxPasswordResetForm),
        name="password_reset",
    ),
    path(
        "passwort-vergessen/gesendet/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "passwort-neu/<uidb64>/<token>/",
        account_views.AuditedPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "passwort-neu/fertig/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("profil/", views.profile, name="profile"),
    path("profil/meine-daten.json", privacy_views.profile_data_json, name="profile_data_json"),
    path("profil/meine-daten.html", privacy_views.profile_data_html, name="profile_data_html"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("konto/", include(account_patterns)),
    path("sprache/", views.language_switch, name="language_switch"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
    # What nginx shows for a body over client_max_body_size (docs/deploy/nginx/koopstadt.conf).
    path("datei-zu-gross/", views.too_large, name="too_large"),
    path("impressum-datenschutz/", views.imprint, name="imprint"),
    # BITV 2.0 § 4: the portal explained in Leichte Sprache and in German Sign Language.
    path("leichte-sprache/", views.easy_language, name="easy_language"),
    path("gebaerdensprache/", views.sign_language, name="sign_language"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("betrieb/", ops_views.operations, name="operations"),
    path("betrieb/aufgaben/", ops_views.failed_tasks, name="failed_tasks"),
    path("betrieb/aufgaben/<int:pk>/<slug:action>/", ops_views.failed_task_action, name="failed_task_action"),
    path("api/", include("exchanges.api.urls")),
    path("expertenpool/", include("cities.directory.urls")),
    path("", include("exchanges.urls")),
    path("admin/", admin.site.urls),
]
