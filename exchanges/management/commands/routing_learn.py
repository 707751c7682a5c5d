from django.conf import settings
from django.core.management.base import BaseCommand

from exchanges.cycle.services.routing_learning import eligible_departments, routing_model_train


class Command(BaseCommand):
    help = (
        "Train the routing's learnt model on the routings so far (docs/routing.md): departments finally "
        "routed on completed exchanges and those coordinators added. Celery beat does this nightly; "
        "running it again is harmless."
    )

    def handle(self, *args: object, **options: object) -> None:
        model = routing_model_train()
        departments = len(model.data.get("departments", {}))
        self.stdout.write(f"Trained on {model.example_count} examples for {departments} departments.")
        if model.example_count < settings.ROUTING_LEARN_MIN_EXAMPLES:
            self.stdout.write(
                f"Fewer than ROUTING_LEARN_MIN_EXAMPLES={settings.ROUTING_LEARN_MIN_EXAMPLES} examples: "
                "routing keeps to its rules until there are more."
            )
        else:
            self.stdout.write(f"{len(eligible_departments(model))} departments can gain learnt points.")
