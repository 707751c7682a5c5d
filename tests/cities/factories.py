import factory
from factory.django import DjangoModelFactory

from cities.directory.models import City, Department, ExpertProfile, ExpertTopic, Topic, TopicKeyword, User
from cities.directory.roles import Role
from cities.directory.services.users import user_set_roles

PASSWORD = "test-password-1234"


class CityFactory(DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Stadt {n}")
    slug = factory.Sequence(lambda n: f"stadt-{n}")
    federal_state = "SN"


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.Sequence(lambda n: f"thema-{n}")


class TopicKeywordFactory(DjangoModelFactory):
    class Meta:
        model = TopicKeyword

    topic = factory.SubFactory(TopicFactory)
    term = factory.Sequence(lambda n: f"Stichwort {n}")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"Amt {n}")
    short_name = factory.Sequence(lambda n: f"A{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    home_city = factory.LazyAttribute(lambda o: o.department.city if o.department else CityFactory())
    department = None
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        if create and extracted:
            user_set_roles(user=self, roles=extracted)


class ExpertProfileFactory(DjangoModelFactory):
    class Meta:
        model = ExpertProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory, department=factory.SubFactory(DepartmentFactory), roles=[Role.EXPERT, Role.STAFF]
    )
    position = "Referentin"
    experience = factory.Sequence(lambda n: f"Erfahrung mit Projekt {n}")

    @factory.post_generation
    def topics(self, create: bool, extracted: list[Topic] | None, **kwargs: object) -> None:
        if create and extracted:
            for topic in extracted:
                ExpertTopic.objects.create(expert=self, topic=topic, level=ExpertTopic.Level.EXPERT)
