"""A small OpenID Connect provider for the single sign-on tests (django-oidc-provider), nothing else.

Started by ``tests/sso/conftest.py`` as its own process on loopback, with this directory's parent on
PYTHONPATH only, so it never loads the portal's settings. Its database is an SQLite file in a temporary
directory (PROVIDER_DATABASE); its address is PROVIDER_URL (the issuer).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "test-identity-provider-only-3b9f0c7e1d2a4f6b8c5e"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
    "provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["PROVIDER_DATABASE"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
LOGIN_URL = "/login/"

# django-oidc-provider
SITE_URL = os.environ["PROVIDER_URL"]
OIDC_USERINFO = "provider.claims.userinfo"
OIDC_EXTRA_SCOPE_CLAIMS = "provider.claims.CityScopeClaims"
