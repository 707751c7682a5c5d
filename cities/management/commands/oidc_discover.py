import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from cities.accounts.sso import sso_discover


class Command(BaseCommand):
    help = (
        "Read an OpenID Connect provider's discovery document (<issuer>/.well-known/openid-configuration) "
        "and print the environment variables for single sign-on (docs/sso.md). Changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("issuer", help="e.g. https://login.example.org/realms/koopstadt")
        parser.add_argument("--timeout", type=float, default=10, help="Seconds to wait for the provider.")

    def handle(self, *args: object, **options: object) -> None:
        issuer = str(options["issuer"])
        try:
            variables = sso_discover(issuer=issuer, timeout=float(options["timeout"]))
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise CommandError(f"No usable discovery document at {issuer}: {exc}") from exc
        callback = settings.SITE_URL + reverse("oidc_authentication_callback")
        self.stdout.write(f"# Single sign-on through {issuer}; register the redirect URI {callback}")
        self.stdout.write("# and add OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET from the provider.")
        for name, value in variables.items():
            self.stdout.write(f"{name}={value}")
