"""The single sign-on settings as an operator meets them: read from the environment in a new process."""

import json

import pytest

from tests.koopstadt.test_settings import manage

ON = {
    "DJANGO_ENV": "test",
    "OIDC_RP_CLIENT_ID": "koopstadt-cr",
    "OIDC_RP_CLIENT_SECRET": "secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example.org/auth",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.example.org/token",
    "OIDC_OP_USER_ENDPOINT": "https://login.example.org/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.example.org/certs",
}
SHOW = (
    "from django.conf import settings as s; import json; "
    "print(json.dumps([s.AUTHENTICATION_BACKENDS, s.AXES_WHITELIST_CALLABLE, s.OIDC_ROLE_MAP, "
    "s.OIDC_CITY_MAP, s.OIDC_DEFAULT_ROLES, s.OIDC_RP_SIGN_ALGO, s.OIDC_RP_SCOPES, s.MIDDLEWARE]))"
)


def _settings(env: dict[str, str]) -> list:
    result = manage("shell", "-c", SHOW, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_a_client_id_the_backend_follows_axes_and_the_rules_are_read():
    env = {
        **ON,
        "OIDC_ROLE_MAP": '{"cr-admins": ["coordinator", "staff"], "cr-kontakt": "city_contact"}',
        "OIDC_CITY_MAP": '{"Stadt Leipzig": "leipzig"}',
    }
    backends, whitelist, role_map, city_map, default_roles, algorithm, scopes, middleware = _settings(env)
    plain = _settings({"DJANGO_ENV": "test"})

    assert backends[:2] == [
        "axes.backends.AxesStandaloneBackend",
        "cities.accounts.backends.PortalOIDCBackend",
    ]
    assert backends[2:] == plain[0][1:]
    assert whitelist == "cities.accounts.login_security.login_attempt_not_counted"
    assert role_map == {"cr-admins": ["coordinator", "staff"], "cr-kontakt": ["city_contact"]}
    assert city_map == {"Stadt Leipzig": "leipzig"}
    assert (default_roles, algorithm, scopes) == (["staff"], "RS256", "openid email profile")
    # Nothing else changes, no middleware is added; without a client id nothing changes at all.
    assert middleware == plain[7]
    assert "cities.accounts.backends.PortalOIDCBackend" not in plain[0]
    assert plain[1] == whitelist  # also counts no attempt the log-in delay refused


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"OIDC_ROLE_MAP": '{"cr-admins": "coordinator"'},
            "OIDC_ROLE_MAP must be a JSON object; it is not valid JSON",
        ),
        ({"OIDC_ROLE_MAP": '["coordinator"]'}, "OIDC_ROLE_MAP must be a JSON object"),
        ({"OIDC_ROLE_MAP": '{"cr-admins": "admin"}'}, "OIDC_ROLE_MAP: 'cr-admins' maps to unknown 'admin'"),
        (
            {"OIDC_CITY_MAP": '{"Leipzig": ["leipzig"]}'},
            "OIDC_CITY_MAP: the value of 'Leipzig' must be a non-empty",
        ),
        ({"OIDC_DEFAULT_ROLES": "staff,boss"}, "OIDC_DEFAULT_ROLES must name roles"),
        ({"OIDC_OP_JWKS_ENDPOINT": ""}, "OIDC_OP_JWKS_ENDPOINT must be set"),
        ({"OIDC_RP_CLIENT_SECRET": ""}, "OIDC_RP_CLIENT_SECRET must be set"),
    ],
)
def test_wrong_single_sign_on_settings_stop_the_start_with_a_clear_message(env, message):
    result = manage("check", env={**ON, **env})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
