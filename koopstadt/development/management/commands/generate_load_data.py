from django.core.management.base import BaseCommand, CommandError, CommandParser

from koopstadt.development.load_data import (
    DEFAULT_PASSWORD,
    LoadDataRefused,
    generate_load_data,
    known_accounts,
    planned_counts,
)

ACCOUNTS = ", ".join(known_accounts())


class Command(BaseCommand):
    help = (
        "Generate a deterministic national network for load tests (docs/performance.md): at scale 1 about "
        "60 cities with departments, 5,000 experts, 20,000 requests over all states and ten years, 10,000 "
        "travel claims; scale 5 is five times that, scale 0.01 a hundredth (at least 3 cities). "
        f"Everyone has an unusable password except three accounts of the first city: {ACCOUNTS} "
        f"(coordinator, finance, city contact) with the password from --password (default {DEFAULT_PASSWORD!r}). "
        "Refuses to run when the database holds requests that are not demo data, unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="Data size; 1 = 20,000 requests.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed, same data).")
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Password of the three known accounts."
        )
        parser.add_argument("--force", action="store_true", help="Add load data even if real requests exist.")

    def handle(self, *args: object, **options: object) -> None:
        scale = float(options["scale"])
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        counts = planned_counts(scale)
        self.stdout.write(
            f"Generating scale {scale:g} (seed {options['seed']}): {counts.cities} cities, {counts.experts} experts, "
            f"{counts.requests} requests, {counts.claims} claims"
        )
        try:
            written = generate_load_data(
                scale=scale,
                seed=int(options["seed"]),
                password=str(options["password"]),
                force=bool(options["force"]),
                progress=self.stdout.write,
            )
        except LoadDataRefused as error:
            raise CommandError(error.message) from error
        summary = ", ".join(f"{count} {name}" for name, count in written.items())
        self.stdout.write(self.style.SUCCESS(f"Load data in place: {summary}."))
