from django.core.management.base import BaseCommand

from koopstadt.development.demo_directory import demo_load
from koopstadt.development.demo_exchanges import demo_requests_load
from koopstadt.development.demo_trips import demo_trips_load


class Command(BaseCommand):
    help = "Load the demo network (cities, departments, topics, people, expert pool, requests, trips). Safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        counts = demo_load()
        counts["new requests"] = demo_requests_load()
        counts["travellers with new trip requests"] = demo_trips_load()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data in place: {summary}. Password of every account: koopstadt-demo")
        )
