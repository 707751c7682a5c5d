"""Prepare the test provider: a signing key, one confidential client and the people of a JSON file."""

import json
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from oidc_provider.models import Client, ResponseType, RSAKey
from provider.models import Profile


class Command(BaseCommand):
    help = 'Read {"client": {...}, "users": [...]} from a JSON file and create them.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("spec", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        spec = json.loads(options["spec"].read_text())
        if not RSAKey.objects.exists():
            call_command("creatersakey")
        client_spec = spec["client"]
        client, _ = Client.objects.update_or_create(
            client_id=client_spec["client_id"],
            defaults={
                "name": "koopstadt C+R",
                "client_type": "confidential",
                "client_secret": client_spec["client_secret"],
                "jwt_alg": "RS256",
                "require_consent": False,
                "_redirect_uris": "\n".join(client_spec["redirect_uris"]),
            },
        )
        client.response_types.set([ResponseType.objects.get(value="code")])
        for person in spec["users"]:
            user = User.objects.filter(username=person["username"]).first() or User(
                username=person["username"]
            )
            user.email = person["email"]
            user.first_name = person.get("given_name", "")
            user.last_name = person.get("family_name", "")
            user.set_password(person["password"])
            user.save()
            Profile.objects.update_or_create(
                user=user,
                defaults={
                    "name": person.get("name", ""),
                    "city": person.get("city", ""),
                    "groups": person.get("groups", []),
                    "email_verified": person.get("email_verified", True),
                },
            )
        self.stdout.write(f"client {client.client_id}, {len(spec['users'])} people")
