"""Allow one more redirect URI for the test client (the browser test's live server has its own port)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from oidc_provider.models import Client


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("client_id")
        parser.add_argument("redirect_uri")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client.objects.get(client_id=options["client_id"])
        if options["redirect_uri"] not in client.redirect_uris:
            client.redirect_uris = [*client.redirect_uris, options["redirect_uri"]]
            client.save(update_fields=["_redirect_uris"])
