from django.core.management.base import BaseCommand, CommandError

from koopstadt.development.routing_cases import CASES
from koopstadt.development.routing_quality import measure, measure_learning


class Command(BaseCommand):
    help = (
        "Print the top-1 and top-3 hit rates of topic suggestion and routing on the labelled set of "
        f"{len(CASES)} requests (koopstadt/development/routing_cases.py; docs/routing.md). Needs the demo "
        "directory (manage.py load_demo); changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--cases", type=int, default=len(CASES), help="Only the first N cases of the labelled set."
        )
        parser.add_argument(
            "--history", type=int, default=400, help="At most this many completed exchanges (newest first)."
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            rates = measure(CASES[: options["cases"]])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("Labelled set (koopstadt/development/routing_cases.py):")
        for rate in rates:
            self.stdout.write("  " + rate.line())
        self.stdout.write("Learning, leave-one-out over the completed exchanges in this database:")
        for rate in measure_learning(limit=options["history"]):
            self.stdout.write("  " + rate.line())
