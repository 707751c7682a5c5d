"""A deterministic generator of a national network for load and performance tests (docs/performance.md).

``generate_load_data(scale=1)`` writes about 60 cities with departments, 5,000 experts, 20,000 C+R
requests over all states and ten years (timelines, routing decisions, invitations, meetings,
reflections) and 10,000 travel claims with items, events and bookings. ``scale=5`` writes five times
as much, ``scale=0.01`` a hundredth (at least three cities).

On purpose this module bypasses the per-row services (``request_transition``, ``claim_book``, …):
calling them for every row would take hours and send notifications. It writes with ``bulk_create``
in batches instead, and keeps every model constraint valid by construction: reference numbers
``CR-<year>-<nnnn>`` and booking numbers ``RK-<year>-<nnnnn>`` continue the per-year counters
(``ReferenceCounter``, ``BookingCounter``), which are raised afterwards so later real submissions and
bookings never collide; every user's department is in the user's home city (the composite foreign
key of migration cities.0002). The tests run ``full_clean`` on a sample of the generated rows.

Every random choice comes from one ``random.Random(seed)`` and depends only on list positions, never
on database ids, so the same seed on the same database state (and day) gives the same data; dates
count back ten years from now.

While writing, ``auto_now``/``auto_now_add`` are switched off on the models written (see
``_historic_timestamps``) so the rows carry their historic dates; the command is an operator tool
and must not run alongside live traffic in the same process.
"""

import random
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from cities.directory.models import (
    City,
    Department,
    DepartmentKeyword,
    ExpertProfile,
    ExpertTopic,
    FederalState,
    Topic,
    TopicKeyword,
    User,
)
from cities.directory.roles import Role
from exchanges.cycle.models import (
    Direction,
    ExchangeRequest,
    Format,
    Invitation,
    InvitationStatus,
    Meeting,
    Occasion,
    ReferenceCounter,
    Reflection,
    RoutingDecision,
    Status,
    TimelineEntry,
)
from exchanges.travel.models import (
    Booking,
    BookingCounter,
    ClaimEvent,
    ClaimItem,
    ClaimStatus,
    ExportBatch,
    RateSet,
    TravelClaim,
)
from koopstadt.development import demo_data
from koopstadt.errors import DomainError

BATCH_SIZE = 2000
DEFAULT_PASSWORD = "koopstadt-load"  # noqa: S105 - documented password of the three known load accounts
EMAIL_DOMAIN = "load.example.org"
YEARS = 10

# Per scale 1. Everything per city (departments, staff) stays the same at every scale.
CITIES_PER_SCALE = 60
EXPERTS_PER_SCALE = 5000
REQUESTS_PER_SCALE = 20000
CLAIMS_PER_SCALE = 10000
MIN_CITIES = 3
STAFF_PER_CITY = 12  # requesters (besides the experts, the contact and the liaisons)
COORDINATORS = 3  # besides the known one
FINANCE = 2  # besides the known one

# The three accounts one can sign in with (password from --password); all in the first city.
KNOWN_ACCOUNTS = [
    ("koordination", "Load Koordination", [Role.COORDINATOR, Role.STAFF]),
    ("finanzen", "Load Finanzen", [Role.FINANCE]),
    ("kontakt", "Load Kontakt", [Role.CITY_CONTACT, Role.STAFF]),
]

# name, federal state; the rate code follows the state as in the demo (HB, SN, BY), else BRKG.
CITY_NAMES = [
    ("Hamburg", "HH"), ("München", "BY"), ("Köln", "NW"), ("Frankfurt am Main", "HE"),
    ("Stuttgart", "BW"), ("Düsseldorf", "NW"), ("Dortmund", "NW"), ("Essen", "NW"),
    ("Dresden", "SN"), ("Hannover", "NI"), ("Duisburg", "NW"), ("Bochum", "NW"),
    ("Wuppertal", "NW"), ("Bielefeld", "NW"), ("Bonn", "NW"), ("Münster", "NW"),
    ("Mannheim", "BW"), ("Karlsruhe", "BW"), ("Augsburg", "BY"), ("Wiesbaden", "HE"),
    ("Mönchengladbach", "NW"), ("Gelsenkirchen", "NW"), ("Aachen", "NW"), ("Braunschweig", "NI"),
    ("Kiel", "SH"), ("Chemnitz", "SN"), ("Halle (Saale)", "ST"), ("Magdeburg", "ST"),
    ("Freiburg im Breisgau", "BW"), ("Krefeld", "NW"), ("Mainz", "RP"), ("Lübeck", "SH"),
    ("Erfurt", "TH"), ("Oberhausen", "NW"), ("Rostock", "MV"), ("Kassel", "HE"),
    ("Hagen", "NW"), ("Potsdam", "BB"), ("Saarbrücken", "SL"), ("Hamm", "NW"),
    ("Ludwigshafen am Rhein", "RP"), ("Mülheim an der Ruhr", "NW"), ("Oldenburg", "NI"),
    ("Osnabrück", "NI"), ("Leverkusen", "NW"), ("Darmstadt", "HE"), ("Heidelberg", "BW"),
    ("Solingen", "NW"), ("Herne", "NW"), ("Regensburg", "BY"), ("Neuss", "NW"),
    ("Paderborn", "NW"), ("Ingolstadt", "BY"), ("Offenbach am Main", "HE"), ("Würzburg", "BY"),
    ("Fürth", "BY"), ("Ulm", "BW"), ("Heilbronn", "BW"), ("Pforzheim", "BW"), ("Wolfsburg", "NI"),
    ("Göttingen", "NI"), ("Bottrop", "NW"), ("Reutlingen", "BW"), ("Koblenz", "RP"),
    ("Bremerhaven", "HB"), ("Recklinghausen", "NW"), ("Erlangen", "BY"), ("Bergisch Gladbach", "NW"),
    ("Remscheid", "NW"), ("Jena", "TH"), ("Trier", "RP"), ("Salzgitter", "NI"), ("Moers", "NW"),
    ("Siegen", "NW"), ("Hildesheim", "NI"), ("Cottbus", "BB"), ("Zwickau", "SN"), ("Schwerin", "MV"),
]  # fmt: skip
RATE_CODE_BY_STATE = {"HB": "HB", "SN": "SN", "BY": "BY"}

# name, short name, part of, topic slugs (demo vocabulary), extra keywords
DEPARTMENT_TEMPLATES = [
    ("Stadtplanungsamt", "SPA", "Dezernat Stadtentwicklung und Bau", ["stadtplanung", "beteiligung"],
     ["Bebauungsplan", "Rahmenplan"]),
    ("Amt für Wohnungsbau und Stadterneuerung", "AWS", "Dezernat Stadtentwicklung und Bau",
     ["wohnen", "stadtplanung"], ["Wohnraumförderung", "Sanierungsgebiet"]),
    ("Verkehrs- und Tiefbauamt", "VTA", "Dezernat Stadtentwicklung und Bau", ["mobilitaet"],
     ["Radschnellweg", "Straßenbahn"]),
    ("Amt für Umweltschutz", "AFU", "Dezernat Umwelt, Klima und Sport", ["energie-klima"],
     ["Hitzeaktionsplan", "Gründach"]),
    ("Amt für Schule", "AFS", "Dezernat Jugend, Schule und Demokratie", ["bildung"],
     ["Ganztag", "Schulneubau"]),
    ("Amt für Wirtschaftsförderung", "AWF", "Dezernat Wirtschaft und Arbeit", ["wirtschaft"],
     ["Innenstadt", "Leerstand"]),
    ("Kulturamt", "KA", "Dezernat Kultur", ["kultur"], ["Zwischennutzung", "Kulturentwicklungsplan"]),
    ("Sozialamt", "SOZ", "Dezernat Soziales, Gesundheit und Vielfalt", ["soziales"],
     ["Quartiersmanagement", "Teilhabe"]),
    ("Referat Digitale Stadt", "RDS", "Dezernat Finanzen", ["digitalisierung", "beteiligung"],
     ["Open Data", "Onlinezugangsgesetz"]),
]  # fmt: skip

FIRST_NAMES = [
    "Anna", "Lena", "Julia", "Sarah", "Laura", "Katharina", "Miriam", "Sophie", "Hannah", "Clara",
    "Jana", "Petra", "Sabine", "Birgit", "Maren", "Ines", "Lukas", "Jonas", "Felix", "Paul",
    "Jan", "Tobias", "Martin", "Thomas", "Henrik", "Stefan", "Florian", "David", "Moritz", "Ali",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun",
    "Zimmermann", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Yılmaz",
]  # fmt: skip
POSITIONS = ["Referentin", "Referent", "Sachgebietsleitung", "Projektleitung", "Abteilungsleitung"]
TITLE_PATTERNS = [
    "Erfahrungen mit {k}",
    "{k}: Austausch gesucht",
    "Wie organisieren andere Städte {k}?",
    "{k} im Quartier",
    "Werkstatt zu {k}",
    "Fachlicher Austausch: {k}",
]

# Share of the requests per final state: (recent = last 12 months, older). Every state appears.
STATE_WEIGHTS = {
    Status.DRAFT: (6, 1),
    Status.SUBMITTED: (8, 0.3),
    Status.RETURNED: (4, 0.3),
    Status.ROUTING: (3, 0.1),
    Status.MATCHING: (8, 0.5),
    Status.AGREED: (6, 0.3),
    Status.SCHEDULED: (10, 0.5),
    Status.HELD: (10, 3),
    Status.COMPLETED: (25, 66),
    Status.WITHDRAWN: (6, 9),
    Status.REJECTED: (6, 9),
    Status.CANCELLED: (8, 10),
}
# The transitions that lead to each final state (the timeline gets one entry per transition).
PATHS = {
    Status.DRAFT: [],
    Status.SUBMITTED: ["submit"],
    Status.RETURNED: ["submit", "return_for_changes"],
    Status.ROUTING: ["submit", "accept"],
    Status.MATCHING: ["submit", "accept", "start_matching"],
    Status.AGREED: ["submit", "accept", "start_matching", "agree"],
    Status.SCHEDULED: ["submit", "accept", "start_matching", "agree", "schedule"],
    Status.HELD: ["submit", "accept", "start_matching", "agree", "schedule", "mark_held"],
    Status.COMPLETED: ["submit", "accept", "start_matching", "agree", "schedule", "mark_held", "complete"],
    Status.WITHDRAWN: ["submit", "withdraw"],
    Status.REJECTED: ["submit", "reject"],
    Status.CANCELLED: ["submit", "accept", "start_matching", "agree", "cancel"],
}
TARGET = {
    "submit": Status.SUBMITTED,
    "return_for_changes": Status.RETURNED,
    "accept": Status.ROUTING,
    "start_matching": Status.MATCHING,
    "agree": Status.AGREED,
    "schedule": Status.SCHEDULED,
    "mark_held": Status.HELD,
    "complete": Status.COMPLETED,
    "withdraw": Status.WITHDRAWN,
    "reject": Status.REJECTED,
    "cancel": Status.CANCELLED,
}
COMMENTS = {
    "return_for_changes": "Bitte ergänzen Sie Zeitraum und Teilnehmende.",
    "withdraw": "Hat sich intern erledigt.",
    "reject": "Passt nicht zum Zweck des Netzwerks.",
    "cancel": "Kein passender Termin gefunden.",
}
ROUTED_STATES = frozenset(
    {Status.ROUTING, Status.MATCHING, Status.AGREED, Status.SCHEDULED, Status.HELD, Status.COMPLETED,
     Status.CANCELLED}
)  # fmt: skip
AGREED_STATES = frozenset({Status.AGREED, Status.SCHEDULED, Status.HELD, Status.COMPLETED, Status.CANCELLED})
MEETING_STATES = frozenset({Status.SCHEDULED, Status.HELD, Status.COMPLETED})
# Claim states: (recent share, older share). No claim is left "approved": the booking task books an
# approved claim within seconds, and the sweeper would book such rows during a benchmark.
CLAIM_WEIGHTS = {
    ClaimStatus.DRAFT: (10, 0.5),
    ClaimStatus.SUBMITTED: (20, 0.5),
    ClaimStatus.RETURNED: (6, 0.3),
    ClaimStatus.REJECTED: (4, 4),
    ClaimStatus.BOOKED: (15, 5),
    ClaimStatus.PAID: (35, 90),
}
CLAIM_PATHS = {
    ClaimStatus.DRAFT: ["create"],
    ClaimStatus.SUBMITTED: ["create", "submit"],
    ClaimStatus.RETURNED: ["create", "submit", "return"],
    ClaimStatus.REJECTED: ["create", "submit", "reject"],
    ClaimStatus.APPROVED: ["create", "submit", "approve"],
    ClaimStatus.BOOKED: ["create", "submit", "approve", "book"],
    ClaimStatus.PAID: ["create", "submit", "approve", "book", "paid"],
}
CLAIM_TARGET = {
    "create": ClaimStatus.DRAFT,
    "submit": ClaimStatus.SUBMITTED,
    "return": ClaimStatus.RETURNED,
    "reject": ClaimStatus.REJECTED,
    "approve": ClaimStatus.APPROVED,
    "book": ClaimStatus.BOOKED,
    "paid": ClaimStatus.PAID,
}

# Models whose auto_now / auto_now_add fields are switched off while writing.
TIMESTAMPED_MODELS = [
    ExpertProfile,
    ExchangeRequest,
    TimelineEntry,
    RoutingDecision,
    Invitation,
    Reflection,
    TravelClaim,
    ClaimEvent,
    ExportBatch,
    Booking,
]


class LoadDataRefused(DomainError):
    """The database already holds real (non-demo) requests."""


@dataclass(frozen=True)
class Counts:
    cities: int
    experts: int
    requests: int
    claims: int


def planned_counts(scale: float) -> Counts:
    """How many cities, experts, requests and claims ``scale`` means (the documented proportions)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    cities = max(MIN_CITIES, round(CITIES_PER_SCALE * scale))
    return Counts(
        cities=cities,
        experts=max(2 * cities, round(EXPERTS_PER_SCALE * scale)),
        requests=max(2 * len(Status), round(REQUESTS_PER_SCALE * scale)),
        claims=max(len(ClaimStatus), round(CLAIMS_PER_SCALE * scale)),
    )


def non_demo_requests_exist() -> bool:
    demo_emails = [row[0] for row in demo_data.PEOPLE] + [row[0] for row in demo_data.EXPERTS]
    return ExchangeRequest.objects.exclude(requester__email__in=demo_emails).exists()


@contextmanager
def _historic_timestamps() -> Iterator[None]:
    """Switch off auto_now/auto_now_add so bulk_create keeps the dates we set (restored afterwards)."""
    saved = []
    for model in TIMESTAMPED_MODELS:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _ascii(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _weighted(rng: random.Random, weights: dict[Any, tuple[float, float]], recent: bool) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[key][0 if recent else 1] for key in keys])[0]


def _local_year(moment: datetime) -> int:
    return timezone.localtime(moment).year


class _Generator:
    def __init__(self, *, scale: float, seed: int, password: str, progress: Callable[[str], None]) -> None:
        self.counts = planned_counts(scale)
        self.rng = random.Random(seed)  # noqa: S311 - test data, not security
        self.password = password
        self.progress = progress
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(days=365 * YEARS)
        self.written: dict[str, int] = {}
        self._step_started = time.monotonic()

    # --- helpers ---------------------------------------------------------------------------------
    def _bulk(self, model: type[models.Model], objs: list, label: str | None = None) -> list:
        created = model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        key = label or model._meta.object_name
        self.written[str(key)] = self.written.get(str(key), 0) + len(objs)
        return created

    def _step(self, name: str, summary: str) -> None:
        now = time.monotonic()
        self.progress(f"{name}: {summary} ({now - self._step_started:.1f} s)")
        self._step_started = now

    def _moment(self, low: datetime, high: datetime) -> datetime:
        seconds = max(0, int((high - low).total_seconds()))
        return low + timedelta(seconds=self.rng.randint(0, seconds))

    # --- master data -----------------------------------------------------------------------------
    def topics(self) -> None:
        Topic.objects.bulk_create(
            [
                Topic(
                    slug=slug,
                    name=name,
                    name_en=demo_data.TOPIC_NAMES_EN.get(slug, ""),
                    description=description,
                )
                for slug, name, description, *_ in demo_data.TOPICS
            ],
            ignore_conflicts=True,
        )
        self.topic_by_slug = {
            t.slug: t for t in Topic.objects.filter(slug__in=[row[0] for row in demo_data.TOPICS])
        }
        keywords = [
            TopicKeyword(topic=self.topic_by_slug[slug], term=term, kind=kind)
            for slug, _name, _description, terms, synonyms in demo_data.TOPICS
            for kind, group in ((TopicKeyword.Kind.KEYWORD, terms), (TopicKeyword.Kind.SYNONYM, synonyms))
            for term in group
        ]
        TopicKeyword.objects.bulk_create(keywords, ignore_conflicts=True)
        self.topic_slugs = [row[0] for row in demo_data.TOPICS]
        self.keywords_by_slug = {row[0]: list(row[3]) for row in demo_data.TOPICS}
        self._step("topics", f"{len(self.topic_by_slug)} topics of the demo vocabulary")

    def cities(self) -> None:
        taken_names = {name.lower() for name in City.objects.values_list("name", flat=True)}
        taken_slugs = set(City.objects.values_list("slug", flat=True))
        run = 1
        while any(slug.startswith(f"load{run}-") for slug in taken_slugs):
            run += 1
        self.run = run
        self.email_tag = "" if run == 1 else f".{run}"
        cities: list[City] = []
        round_no = 0
        while len(cities) < self.counts.cities:
            for name, state in CITY_NAMES:
                if len(cities) >= self.counts.cities:
                    break
                full = name if round_no == 0 else f"{name} {round_no + 1}"
                if full.lower() in taken_names:
                    continue
                taken_names.add(full.lower())
                cities.append(
                    City(
                        name=full,
                        slug=f"load{run}-{slugify(_ascii(full))}"[:100],
                        federal_state=FederalState(state).value,
                        rate_code=RATE_CODE_BY_STATE.get(state, "BRKG"),
                    )
                )
            round_no += 1
        self.city_list = self._bulk(City, cities)

        departments = []
        for city in self.city_list:
            for name, short, parent, _topics, _keywords in DEPARTMENT_TEMPLATES:
                departments.append(
                    Department(
                        city=city,
                        name=name,
                        short_name=short,
                        parent_name=parent,
                        email=f"{short.lower()}@{city.slug}.{EMAIL_DOMAIN}",
                    )
                )
        self.department_list = self._bulk(Department, departments)
        self._department_position = {d.pk: i for i, d in enumerate(self.department_list)}
        through = Department.topics.through
        links, keywords = [], []
        self.departments_by_city: dict[int, list[Department]] = defaultdict(list)
        self.departments_by_topic: dict[str, list[Department]] = defaultdict(list)
        for index, department in enumerate(self.department_list):
            _name, _short, _parent, topic_slugs, extra = DEPARTMENT_TEMPLATES[
                index % len(DEPARTMENT_TEMPLATES)
            ]
            self.departments_by_city[department.city_id].append(department)
            for slug in topic_slugs:
                links.append(through(department_id=department.pk, topic_id=self.topic_by_slug[slug].pk))
                self.departments_by_topic[slug].append(department)
            for term in extra:
                keywords.append(
                    DepartmentKeyword(
                        department=department, term=term, match_stem=DepartmentKeyword.stem_for(term)
                    )
                )
        self._bulk(through, links, "department topics")
        self._bulk(DepartmentKeyword, keywords)
        self._step("cities", f"{len(self.city_list)} cities, {len(self.department_list)} departments")

    # --- people ----------------------------------------------------------------------------------
    def people(self) -> None:
        groups = {group.name: group.pk for group in Group.objects.filter(name__in=[r.value for r in Role])}
        users: list[User] = []
        roles: list[list[Role]] = []
        serial = 0
        joined = self.start - timedelta(days=30)

        def person(
            department: Department, role_list: list[Role], email: str | None = None, name: str = ""
        ) -> User:
            nonlocal serial
            serial += 1
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            user = User(
                email=email or f"{_ascii(first)}.{_ascii(last)}.{serial}{self.email_tag}@{EMAIL_DOMAIN}",
                display_name=name or f"{first} {last}",
                home_city_id=department.city_id,
                department=department,
                password=make_password(None),
                date_joined=joined,
            )
            users.append(user)
            roles.append(role_list)
            return user

        first_department = self.departments_by_city[self.city_list[0].pk][0]
        self.known = {}
        for local, name, role_list in KNOWN_ACCOUNTS:
            email = f"{local}{self.email_tag}@{EMAIL_DOMAIN}"
            user = person(first_department, role_list, email=email, name=name)
            user.password = make_password(self.password)
            self.known[local] = user
        self.coordinators = [self.known["koordination"]]
        self.coordinators += [
            person(first_department, [Role.COORDINATOR, Role.STAFF]) for _ in range(COORDINATORS)
        ]
        self.finance = [self.known["finanzen"]]
        self.finance += [person(first_department, [Role.FINANCE]) for _ in range(FINANCE)]
        self.contacts: dict[int, User] = {self.city_list[0].pk: self.known["kontakt"]}
        self.staff_by_city: dict[int, list[User]] = defaultdict(list)
        for city in self.city_list:
            departments = self.departments_by_city[city.pk]
            if city.pk not in self.contacts:
                self.contacts[city.pk] = person(departments[0], [Role.CITY_CONTACT, Role.STAFF])
            for department in departments:
                person(department, [Role.DEPARTMENT_LIAISON, Role.STAFF])
            for index in range(STAFF_PER_CITY):
                self.staff_by_city[city.pk].append(
                    person(departments[index % len(departments)], [Role.STAFF])
                )
        expert_users = []
        for index in range(self.counts.experts):
            department = self.department_list[index % len(self.department_list)]
            expert_users.append(person(department, [Role.EXPERT, Role.STAFF]))

        self._bulk(User, users, "people")
        through = User.groups.through
        self._bulk(
            through,
            [
                through(user_id=user.pk, group_id=groups[role.value])
                for user, rl in zip(users, roles, strict=True)
                for role in rl
            ],
            "role assignments",
        )

        profiles = []
        for user in expert_users:
            created = self._moment(self.start - timedelta(days=30), self.start + timedelta(days=365))
            profiles.append(
                ExpertProfile(
                    user=user,
                    position=self.rng.choice(POSITIONS),
                    experience="Langjährige Erfahrung in der kommunalen Praxis; berät gern Kolleginnen und Kollegen.",
                    languages=self.rng.choice(
                        ["Deutsch", "Deutsch, Englisch", "Deutsch, Englisch, Französisch"]
                    ),
                    is_available=self.rng.random() > 0.1,
                    max_exchanges_per_year=self.rng.randint(2, 8),
                    created_at=created,
                    updated_at=created,
                )
            )
        self.experts = self._bulk(ExpertProfile, profiles)
        expert_topics = []
        self.experts_by_department: dict[int, list[ExpertProfile]] = defaultdict(list)
        for profile in self.experts:
            self.experts_by_department[profile.user.department_id].append(profile)
            template = DEPARTMENT_TEMPLATES[self._template_index(profile.user.department)]
            slugs = list(template[3])
            extra = self.rng.choice(self.topic_slugs)
            if extra not in slugs and self.rng.random() < 0.5:
                slugs.append(extra)
            for slug in slugs:
                expert_topics.append(
                    ExpertTopic(expert=profile, topic=self.topic_by_slug[slug], level=self.rng.randint(1, 3))
                )
        self._bulk(ExpertTopic, expert_topics)
        self._step(
            "people", f"{len(users)} people, {len(self.experts)} experts, {len(expert_topics)} expert topics"
        )

    def _template_index(self, department: Department) -> int:
        return self._department_position[department.pk] % len(DEPARTMENT_TEMPLATES)

    # --- requests --------------------------------------------------------------------------------
    def requests(self) -> None:
        counters = dict(ReferenceCounter.objects.values_list("year", "last_number"))
        plans = []
        statuses = list(Status)
        total_days = (self.now - self.start).days
        for index in range(self.counts.requests):
            if index < len(statuses):
                status = statuses[index]  # every state at least once, recently
                created = self.now - timedelta(
                    days=self.rng.randint(20, 200), seconds=self.rng.randint(0, 86400)
                )
            else:
                # Growth over the years: later years have more requests.
                day = int(total_days * (self.rng.random() ** 0.7))
                created = self.start + timedelta(days=day, seconds=self.rng.randint(0, 86400))
                created = min(created, self.now - timedelta(hours=1))
                recent = (self.now - created).days < 365
                status = _weighted(self.rng, STATE_WEIGHTS, recent)
            plans.append((status, created))
        objs: list[ExchangeRequest] = []
        self.plans: list[dict[str, Any]] = []
        for status, created in plans:
            city = self.rng.choice(self.city_list)
            requester = self.rng.choice(self.staff_by_city[city.pk])
            topic_slugs = self.rng.sample(self.topic_slugs, self.rng.choice([1, 1, 2, 2, 3]))
            keyword = self.rng.choice(self.keywords_by_slug[topic_slugs[0]])
            title = self.rng.choice(TITLE_PATTERNS).format(k=keyword)
            fmt = self.rng.choice(list(Format))
            direction = (
                Direction.NO_TRAVEL
                if fmt == Format.VIDEO_CALL
                else self.rng.choice([Direction.REQUESTER_TRAVELS, Direction.EXPERT_TRAVELS])
            )
            # Transition times: one to twenty days apart, never in the future.
            moments = []
            moment = created
            for _action in PATHS[status]:
                moment = moment + timedelta(days=self.rng.randint(1, 20), seconds=self.rng.randint(0, 36000))
                moments.append(moment)
            if moments and moments[-1] > self.now:
                shift = moments[-1] - self.now + timedelta(minutes=5)
                created -= shift
                moments = [m - shift for m in moments]
            earliest = (created + timedelta(days=30)).date()
            objs.append(
                ExchangeRequest(
                    status=status,
                    requester=requester,
                    requester_city=city,
                    requester_department_id=requester.department_id,
                    title=title,
                    need=f"Wir suchen Austausch zu {keyword} mit Kolleginnen und Kollegen aus anderen Städten.",
                    occasion=self.rng.choice(list(Occasion)),
                    preferred_format=fmt,
                    direction=direction,
                    include_own_city=self.rng.random() < 0.2,
                    earliest_date=earliest,
                    latest_date=earliest + timedelta(days=self.rng.randint(30, 180)),
                    travellers=self.rng.randint(1, 4) if direction != Direction.NO_TRAVEL else None,
                    estimated_costs=Decimal(self.rng.randint(0, 1500))
                    if direction != Direction.NO_TRAVEL
                    else None,
                    created_at=created,
                    updated_at=moments[-1] if moments else created,
                    submitted_at=moments[0] if moments else None,
                    status_changed_at=moments[-1] if moments else None,
                )
            )
            self.plans.append({"status": status, "topics": topic_slugs, "moments": moments, "city": city})
        # Reference numbers in order of submission, continuing the per-year counters.
        order = sorted(
            (i for i, obj in enumerate(objs) if obj.submitted_at is not None),
            key=lambda i: (objs[i].submitted_at, i),
        )
        for i in order:
            year = _local_year(objs[i].submitted_at)
            counters[year] = counters.get(year, 0) + 1
            objs[i].reference = f"CR-{year}-{counters[year]:04d}"
        for obj in objs:
            if obj.status == Status.SUBMITTED:
                obj.contact_due_on = (timezone.localtime(obj.submitted_at) + timedelta(days=5)).date()
            if obj.status in ROUTED_STATES and self.rng.random() < 0.7:
                obj.assignee = self.rng.choice(self.coordinators)
        self.request_list = self._bulk(ExchangeRequest, objs)
        for year, last in counters.items():
            ReferenceCounter.objects.update_or_create(year=year, defaults={"last_number": last})
        self.reference_counters = counters

        topic_through = ExchangeRequest.topics.through
        partner_through = ExchangeRequest.preferred_partner_cities.through
        topic_links, partner_links = [], []
        for request, plan in zip(self.request_list, self.plans, strict=True):
            for slug in plan["topics"]:
                topic_links.append(
                    topic_through(exchangerequest_id=request.pk, topic_id=self.topic_by_slug[slug].pk)
                )
            if self.rng.random() < 0.4:
                for city in self.rng.sample(self.city_list, 2):
                    if city.pk != request.requester_city_id:
                        partner_links.append(partner_through(exchangerequest_id=request.pk, city_id=city.pk))
        self._bulk(topic_through, topic_links, "request topics")
        self._bulk(partner_through, partner_links, "preferred partner cities")
        self._step("requests", f"{len(self.request_list)} requests, {len(topic_links)} topic links")

    def cycle(self) -> None:
        timeline: list[TimelineEntry] = []
        decisions: list[RoutingDecision] = []
        invitations: list[Invitation] = []
        meetings: list[Meeting] = []
        meeting_people: list[tuple[int, list[User], list[User]]] = []
        reflections: list[Reflection] = []
        self.meeting_requests: list[tuple[ExchangeRequest, dict[str, Any], User]] = []
        for request, plan in zip(self.request_list, self.plans, strict=True):
            status = plan["status"]
            contact = self.contacts[request.requester_city_id]
            moments = plan["moments"]
            actors = {
                "submit": request.requester,
                "return_for_changes": contact,
                "accept": contact,
                "start_matching": None,
                "agree": None,
                "schedule": self.rng.choice(self.coordinators),
                "mark_held": request.requester,
                "complete": request.requester,
                "withdraw": request.requester,
                "reject": self.rng.choice(self.coordinators),
                "cancel": self.rng.choice(self.coordinators),
            }
            previous = Status.DRAFT
            for action, moment in zip(PATHS[status], moments, strict=True):
                timeline.append(
                    TimelineEntry(
                        request=request,
                        actor=actors[action],
                        action=action,
                        from_status=previous,
                        to_status=TARGET[action],
                        comment=COMMENTS.get(action, ""),
                        created_at=moment,
                    )
                )
                previous = TARGET[action]
            if status not in ROUTED_STATES:
                continue
            accepted_at = moments[1]
            # Routing: departments of other cities that share the first topic.
            candidates = [
                d
                for d in self.departments_by_topic[plan["topics"][0]]
                if d.city_id != request.requester_city_id
            ]
            chosen = self.rng.sample(candidates, min(len(candidates), self.rng.randint(2, 4)))
            routed = chosen[: max(1, len(chosen) // 2)]
            for rank, department in enumerate(chosen, start=1):
                decisions.append(
                    RoutingDecision(
                        request=request,
                        department=department,
                        score=max(1, 100 - rank * 15 - self.rng.randint(0, 10)),
                        rank=rank,
                        reasons=[f"Thema {self.topic_by_slug[plan['topics'][0]].name}"],
                        is_routed=department in routed,
                        created_at=accepted_at + timedelta(minutes=1),
                        updated_at=accepted_at + timedelta(minutes=1),
                    )
                )
            if status == Status.ROUTING:
                continue
            matching_at = moments[2]
            pool = [e for d in routed for e in self.experts_by_department[d.pk]]
            if not pool:
                continue
            asked = self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3)))
            agreed = status in AGREED_STATES
            accepted_expert = asked[0] if agreed else None
            for expert in asked:
                proposed = self._moment(
                    matching_at, moments[3] if agreed else min(self.now, matching_at + timedelta(days=5))
                )
                if expert is accepted_expert:
                    answer, answered = InvitationStatus.ACCEPTED, moments[3] - timedelta(minutes=1)
                    proposed = min(proposed, answered - timedelta(minutes=1))
                elif status == Status.MATCHING:
                    answer, answered = InvitationStatus.OPEN, None
                else:
                    answer = InvitationStatus.DECLINED
                    answered = min(self.now, proposed + timedelta(days=self.rng.randint(1, 5)))
                invitations.append(
                    Invitation(
                        request=request,
                        expert=expert,
                        proposed_by=self.rng.choice(self.coordinators),
                        message="Hätten Sie Zeit für einen Austausch?",
                        status=answer,
                        answer_note="Gern." if answer == InvitationStatus.ACCEPTED else "",
                        created_at=proposed,
                        answered_at=answered,
                    )
                )
                timeline.append(
                    TimelineEntry(
                        request=request,
                        actor=invitations[-1].proposed_by,
                        action="invite",
                        created_at=proposed,
                    )
                )
            if status in MEETING_STATES and accepted_expert is not None:
                if status == Status.SCHEDULED:
                    # In the future, so no "did it take place?" reminder fires for generated data.
                    starts = self._moment(self.now + timedelta(days=1), self.now + timedelta(days=60))
                else:
                    # Between setting the date and confirming the exchange took place.
                    starts = max(
                        moments[4] + timedelta(hours=1), moments[5] - timedelta(hours=self.rng.randint(2, 30))
                    )
                starts = starts.replace(minute=0, second=0)
                ends = starts + timedelta(hours=self.rng.randint(2, 6))
                host = (
                    accepted_expert.user.home_city_id
                    if request.direction == Direction.REQUESTER_TRAVELS
                    else request.requester_city_id
                )
                meetings.append(
                    Meeting(
                        request=request,
                        starts_at=starts,
                        ends_at=ends,
                        city_id=None if request.direction == Direction.NO_TRAVEL else host,
                        address="" if request.direction == Direction.NO_TRAVEL else "Rathaus, Markt 1",
                        video_link="https://video.example.org/cr"
                        if request.direction == Direction.NO_TRAVEL
                        else "",
                        format=request.preferred_format,
                        held_reminder_sent=status != Status.SCHEDULED,
                    )
                )
                if request.direction == Direction.REQUESTER_TRAVELS:
                    travellers = [request.requester]
                elif request.direction == Direction.EXPERT_TRAVELS:
                    travellers = [accepted_expert.user]
                else:
                    travellers = []
                meeting_people.append(
                    (len(meetings) - 1, [request.requester, accepted_expert.user], travellers)
                )
                self.meeting_requests.append(
                    (request, {"starts": starts, "ends": ends, "plan": plan}, travellers)
                )
            if status == Status.COMPLETED and accepted_expert is not None:
                done = moments[-1]
                reflections.append(
                    Reflection(
                        request=request,
                        author=request.requester,
                        side=Reflection.Side.REQUESTER,
                        takeaway=f"Viel gelernt zu {request.title[:120]}",
                        question=request.need,
                        learnt="Frühe Beteiligung der Fachämter spart später Zeit.",
                        worked="Offener Austausch, gute Vorbereitung.",
                        would_recommend=self.rng.random() < 0.9,
                        is_internal=self.rng.random() < 0.1,
                        created_at=done,
                    )
                )
                if self.rng.random() < 0.3:
                    reflections.append(
                        Reflection(
                            request=request,
                            author=accepted_expert.user,
                            side=Reflection.Side.EXPERT,
                            takeaway="Auch für uns lehrreich",
                            question=request.need,
                            learnt="Andere Städte lösen ähnliche Fragen mit anderen Mitteln.",
                            is_internal=self.rng.random() < 0.2,
                            created_at=min(self.now, done + timedelta(days=2)),
                        )
                    )
        self._bulk(TimelineEntry, timeline)
        self._bulk(RoutingDecision, decisions)
        self._bulk(Invitation, invitations)
        created_meetings = self._bulk(Meeting, meetings)
        participants, travellers_links = Meeting.participants.through, Meeting.travellers.through
        self._bulk(
            participants,
            [
                participants(meeting_id=created_meetings[i].pk, user_id=u.pk)
                for i, people, _t in meeting_people
                for u in people
            ],
            "meeting participants",
        )
        self._bulk(
            travellers_links,
            [
                travellers_links(meeting_id=created_meetings[i].pk, user_id=u.pk)
                for i, _p, travs in meeting_people
                for u in travs
            ],
            "meeting travellers",
        )
        self._bulk(Reflection, reflections)
        self._step(
            "timelines",
            f"{len(timeline)} timeline entries, {len(decisions)} routing decisions, {len(invitations)} invitations, "
            f"{len(meetings)} meetings, {len(reflections)} reflections",
        )

    # --- travel claims ---------------------------------------------------------------------------
    def claims(self) -> None:
        rate_sets = {rs.code: rs for rs in RateSet.objects.filter(valid_to__isnull=True)}
        city_by_pk = {city.pk: city for city in self.city_list}
        held = [m for m in self.meeting_requests if m[1]["ends"] < self.now]
        if not held:
            self._step("claims", "no held meetings, no claims")
            return
        claims: list[TravelClaim] = []
        plans: list[tuple[ClaimStatus, list[datetime]]] = []
        for index in range(self.counts.claims):
            request, meeting, travellers = held[index % len(held)]
            traveller = travellers[0] if travellers else request.requester
            start = meeting["starts"] - timedelta(hours=3)
            end = meeting["ends"] + timedelta(hours=3)
            recent = (self.now - end).days < 365
            status = _weighted(self.rng, CLAIM_WEIGHTS, recent)
            if index < len(CLAIM_WEIGHTS):
                status = list(CLAIM_WEIGHTS)[index]  # every state at least once
            moments, moment = [], end
            for _action in CLAIM_PATHS[status]:
                moment = moment + timedelta(days=self.rng.randint(1, 12), seconds=self.rng.randint(0, 36000))
                moments.append(moment)
            if moments[-1] > self.now:
                # Too recent for the whole path: squeeze the steps between the trip and now.
                span = (self.now - end).total_seconds()
                moments = [
                    end + timedelta(seconds=span * (k + 1) / (len(moments) + 1)) for k in range(len(moments))
                ]
            decided = status not in {ClaimStatus.DRAFT, ClaimStatus.SUBMITTED, ClaimStatus.RETURNED}
            city = city_by_pk[traveller.home_city_id]
            rate_set = rate_sets.get(city.rate_code)
            claims.append(
                TravelClaim(
                    exchange=request,
                    traveller=traveller,
                    submitted_by=traveller,
                    status=status,
                    trip_start=start,
                    trip_end=end,
                    origin=city.name,
                    destination=city_by_pk.get(request.requester_city_id, city).name,
                    purpose=f"C+R-Austausch {request.reference}",
                    local_transport=Decimal(self.rng.randint(0, 12)),
                    rate_set=rate_set if rate_set and rate_set.valid_from <= start.date() else None,
                    created_at=moments[0],
                    submitted_at=moments[1] if len(moments) > 1 else None,
                    decided_at=moments[2] if decided else None,
                    decided_by=self.rng.choice(self.finance) if decided else None,
                )
            )
            plans.append((status, moments))
        items: list[ClaimItem] = []
        for claim in claims:
            rail = Decimal(self.rng.randint(2900, 24900)) / 100
            claim_items = [
                ClaimItem(claim=claim, kind=ClaimItem.Kind.RAIL, amount=rail, scheduled_hours=Decimal("2.5"))
            ]
            if (claim.trip_end - claim.trip_start) > timedelta(hours=12) or self.rng.random() < 0.3:
                claim_items.append(
                    ClaimItem(
                        claim=claim,
                        kind=ClaimItem.Kind.HOTEL,
                        amount=Decimal(self.rng.randint(8000, 14000)) / 100,
                        night_of=timezone.localtime(claim.trip_start).date(),
                    )
                )
            if self.rng.random() < 0.2:
                claim_items.append(
                    ClaimItem(
                        claim=claim,
                        kind=ClaimItem.Kind.OTHER,
                        amount=Decimal("12.50"),
                        explanation="Tagungsunterlagen",
                    )
                )
            items.extend(claim_items)
            if claim.status != ClaimStatus.DRAFT:
                claim.calculated_total = sum(
                    (i.amount for i in claim_items), claim.local_transport
                ) + Decimal("14.00")
        created = self._bulk(TravelClaim, claims)
        self._bulk(ClaimItem, items)

        events: list[ClaimEvent] = []
        for claim, (status, moments) in zip(created, plans, strict=True):
            previous = ""
            for action, moment in zip(CLAIM_PATHS[status], moments, strict=True):
                if action in {"create", "submit"}:
                    actor = claim.traveller
                elif action == "book":
                    actor = None  # booked by the background task, as claim_book records it
                else:
                    actor = claim.decided_by or self.finance[0]
                events.append(
                    ClaimEvent(
                        claim=claim,
                        actor=actor,
                        action=action,
                        from_status=previous,
                        to_status=CLAIM_TARGET[action],
                        comment="Bitte Beleg nachreichen." if action in {"return", "reject"} else "",
                        created_at=moment,
                    )
                )
                previous = CLAIM_TARGET[action]
        self._bulk(ClaimEvent, events)

        # Bookings, numbered per year in order of booking, continuing the counters; paid ones in a
        # batch per year, numbered as the export service does.
        counters = dict(BookingCounter.objects.values_list("year", "last_number"))
        booked = sorted(
            (i for i, (status, _m) in enumerate(plans) if status in {ClaimStatus.BOOKED, ClaimStatus.PAID}),
            key=lambda i: (plans[i][1][3], i),
        )
        paid_years = sorted({_local_year(plans[i][1][4]) for i in booked if plans[i][0] == ClaimStatus.PAID})
        batches = {}
        for year in paid_years:
            count = ExportBatch.objects.filter(number__startswith=f"EX-{year}-").count()
            moment = min(self.now, datetime(year, 12, 31, 12, tzinfo=UTC))
            batches[year] = ExportBatch(
                number=f"EX-{year}-{count + 1:04d}",
                created_by=self.finance[0],
                created_at=moment,
                exported_at=moment,
                exported_by=self.finance[0],
                paid_at=moment,
                paid_by=self.finance[0],
            )
        self._bulk(ExportBatch, list(batches.values()))
        bookings = []
        for i in booked:
            claim, (status, moments) = created[i], plans[i]
            year = _local_year(claim.decided_at)
            counters[year] = counters.get(year, 0) + 1
            bookings.append(
                Booking(
                    claim=claim,
                    number=f"RK-{year}-{counters[year]:05d}",
                    budget_year=year,
                    cost_centre=settings.TRAVEL_COST_CENTRE,
                    payee=claim.traveller.display_name,
                    amount=claim.calculated_total,
                    created_at=moments[3],
                    batch=batches[_local_year(moments[4])] if status == ClaimStatus.PAID else None,
                )
            )
        self._bulk(Booking, bookings)
        for year, last in counters.items():
            BookingCounter.objects.update_or_create(year=year, defaults={"last_number": last})
        self._step(
            "claims",
            f"{len(created)} claims, {len(items)} items, {len(events)} events, {len(bookings)} bookings, "
            f"{len(batches)} export batches",
        )

    def run(self) -> dict[str, int]:
        self.topics()
        self.cities()
        self.people()
        self.requests()
        self.cycle()
        self.claims()
        return self.written


def generate_load_data(
    *,
    scale: float = 1.0,
    seed: int = 1,
    password: str = DEFAULT_PASSWORD,
    force: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> dict[str, int]:
    """Write the load network in one transaction and return how many rows of each kind were written."""
    if not force and non_demo_requests_exist():
        raise LoadDataRefused(
            "The database already holds requests that are not demo data; use --force to add load data anyway."
        )
    generator = _Generator(scale=scale, seed=seed, password=password, progress=progress)
    started = time.monotonic()
    with transaction.atomic(), _historic_timestamps():
        written = generator.run()
    progress(f"done: {sum(written.values())} rows in {time.monotonic() - started:.1f} s")
    return written


def known_accounts(run_tag: str = "") -> list[str]:
    """The e-mail addresses of the accounts one can sign in with (first run of a database)."""
    return [f"{local}{run_tag}@{EMAIL_DOMAIN}" for local, _name, _roles in KNOWN_ACCOUNTS]


__all__ = ["DEFAULT_PASSWORD", "LoadDataRefused", "generate_load_data", "known_accounts", "planned_counts"]
