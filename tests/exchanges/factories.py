from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cities.directory.roles import Role
from exchanges.cycle.models import Direction, ExchangeRequest, Format, Occasion
from tests.cities.factories import DepartmentFactory, TopicFactory, UserFactory


class ExchangeRequestFactory(DjangoModelFactory):
    """A complete draft, ready to be submitted."""

    class Meta:
        model = ExchangeRequest
        skip_postgeneration_save = True

    requester = factory.SubFactory(
        UserFactory, department=factory.SubFactory(DepartmentFactory), roles=[Role.STAFF]
    )
    requester_city = factory.SelfAttribute("requester.home_city")
    requester_department = factory.SelfAttribute("requester.department")
    title = factory.Sequence(lambda n: f"Beteiligungswerkstatt {n}")
    need = "Wir planen eine Werkstatt und suchen Erfahrung aus einer Partnerstadt."
    occasion = Occasion.QUESTION
    preferred_format = Format.WORKSHOP
    direction = Direction.EXPERT_TRAVELS
    earliest_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    latest_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))
    travellers = 1

    @factory.post_generation
    def topics(self, create: bool, extracted, **kwargs) -> None:
        if create:
            self.topics.set(extracted if extracted is not None else [TopicFactory()])
