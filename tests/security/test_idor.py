"""Changing an id in a URL never reaches someone else's object: 404 (not 403, not 200), as for ids that do
not exist; a tampered signed invitation link gets a clear error page, never a 500."""

import pytest
from django.core import signing
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from exchanges.cycle.services.invitations import LINK_SALT
from tests.security.attack_world import World, run, world_fixture  # noqa: F401

pytestmark = [pytest.mark.security, pytest.mark.django_db]

MISSING = 2_000_000_000  # fits an int column, exists nowhere


def own(world: World):
    return world["own"]


def foreign(world: World):
    return world["foreign"]


# (who, method, URL name, kwargs of their own object, kwargs with one id changed to another's object)
SWAPS = [
    (
        "staff",
        "get",
        "exchanges:request_detail",
        lambda w: {"pk": own(w).requests["draft"].pk},
        lambda w: {"pk": foreign(w).requests["draft"].pk},
    ),
    (
        "contact",
        "get",
        "exchanges:request_detail",
        lambda w: {"pk": own(w).requests["submitted"].pk},
        lambda w: {"pk": foreign(w).requests["submitted"].pk},
    ),
    (
        "liaison",
        "get",
        "exchanges:request_detail",
        lambda w: {"pk": own(w).requests["matching"].pk},
        lambda w: {"pk": foreign(w).requests["matching"].pk},
    ),
    (
        "contact",
        "get",
        "exchanges:request_detail",  # a draft of the own city is still the requester's alone
        lambda w: {"pk": own(w).requests["submitted"].pk},
        lambda w: {"pk": own(w).requests["draft"].pk},
    ),
    (
        "staff",
        "post",
        "exchanges:request_edit",
        lambda w: {"pk": own(w).requests["draft"].pk},
        lambda w: {"pk": foreign(w).requests["draft"].pk},
    ),
    (
        "staff",
        "get",
        "exchanges:attachment_download",  # own request, the other city's attachment id
        lambda w: {"pk": own(w).requests["draft"].pk, "attachment_pk": own(w).attachments["draft"].pk},
        lambda w: {"pk": own(w).requests["draft"].pk, "attachment_pk": foreign(w).attachments["draft"].pk},
    ),
    (
        "staff",
        "get",
        "exchanges:attachment_download",  # an attachment of another of the person's own requests
        lambda w: {"pk": own(w).requests["draft"].pk, "attachment_pk": own(w).attachments["draft"].pk},
        lambda w: {"pk": own(w).requests["draft"].pk, "attachment_pk": own(w).attachments["submitted"].pk},
    ),
    (
        "contact",
        "get",
        "exchanges:attachment_download",
        lambda w: {
            "pk": own(w).requests["submitted"].pk,
            "attachment_pk": own(w).attachments["submitted"].pk,
        },
        lambda w: {
            "pk": foreign(w).requests["submitted"].pk,
            "attachment_pk": foreign(w).attachments["submitted"].pk,
        },
    ),
    (
        "staff",
        "get",
        "exchanges:meeting_calendar",
        lambda w: {"pk": own(w).requests["scheduled"].pk},
        lambda w: {"pk": foreign(w).requests["scheduled"].pk},
    ),
    (
        "expert",
        "get",
        "exchanges:reflection_create",
        lambda w: {"pk": own(w).requests["completed"].pk},
        lambda w: {"pk": foreign(w).requests["completed"].pk},
    ),
    (
        "staff",
        "post",
        "exchanges:comment_create",
        lambda w: {"pk": own(w).requests["submitted"].pk},
        lambda w: {"pk": foreign(w).requests["submitted"].pk},
    ),
    (
        "expert",
        "get",
        "exchanges:invitation_answer",
        lambda w: {"invitation_pk": own(w).invitation_open.pk},
        lambda w: {"invitation_pk": foreign(w).invitation_open.pk},
    ),
    (
        "staff",
        "get",
        "exchanges:claim_detail",
        lambda w: {"pk": own(w).claims["draft"].pk},
        lambda w: {"pk": foreign(w).claims["draft"].pk},
    ),
    (
        "staff",
        "get",
        "exchanges:claim_detail",  # a colleague of the same city, same exchange
        lambda w: {"pk": own(w).claims["draft"].pk},
        lambda w: {"pk": own(w).claims["submitted"].pk},
    ),
    (
        "staff",
        "get",
        "exchanges:claim_pdf",
        lambda w: {"pk": own(w).claims["draft"].pk},
        lambda w: {"pk": foreign(w).claims["draft"].pk},
    ),
    (
        "staff",
        "post",
        "exchanges:claim_edit",
        lambda w: {"pk": own(w).claims["draft"].pk},
        lambda w: {"pk": foreign(w).claims["draft"].pk},
    ),
    (
        "staff",
        "post",
        "exchanges:claim_item_remove",  # own claim, the other city's item id
        lambda w: {"pk": own(w).claims["draft"].pk, "item_pk": own(w).items["draft"].pk},
        lambda w: {"pk": own(w).claims["draft"].pk, "item_pk": foreign(w).items["draft"].pk},
    ),
    (
        "staff",
        "post",
        "exchanges:claim_receipt_add",  # own claim, the other city's item id
        lambda w: {"pk": own(w).claims["draft"].pk, "item_pk": own(w).items["draft"].pk},
        lambda w: {"pk": own(w).claims["draft"].pk, "item_pk": foreign(w).items["draft"].pk},
    ),
    (
        "finance",
        "post",
        "exchanges:claim_item_reduce",  # a claim finance may see, with the item of another claim
        lambda w: {"pk": own(w).claims["submitted"].pk, "item_pk": own(w).items["submitted"].pk},
        lambda w: {"pk": own(w).claims["submitted"].pk, "item_pk": foreign(w).items["submitted"].pk},
    ),
    (
        "staff",
        "get",
        "exchanges:receipt_download",  # own claim, the other city's receipt id
        lambda w: {"pk": own(w).claims["draft"].pk, "receipt_pk": own(w).receipts["draft"].pk},
        lambda w: {"pk": own(w).claims["draft"].pk, "receipt_pk": foreign(w).receipts["draft"].pk},
    ),
    (
        "staff",
        "get",
        "exchanges:receipt_download",  # a receipt of another of the person's own claims
        lambda w: {"pk": own(w).claims["draft"].pk, "receipt_pk": own(w).receipts["draft"].pk},
        lambda w: {"pk": own(w).claims["draft"].pk, "receipt_pk": own(w).receipts["booked"].pk},
    ),
    (
        "expert",
        "get",
        "exchanges:receipt_download",  # a colleague's receipt
        lambda w: {"pk": own(w).claims["submitted"].pk, "receipt_pk": own(w).receipts["submitted"].pk},
        lambda w: {"pk": own(w).claims["draft"].pk, "receipt_pk": own(w).receipts["draft"].pk},
    ),
    (
        "expert",
        "post",
        "exchanges:claim_create",
        lambda w: {"pk": own(w).requests["scheduled"].pk},
        lambda w: {"pk": foreign(w).requests["scheduled"].pk},
    ),
    (
        "finance",
        "post",
        "exchanges:batch_download",
        lambda w: {"pk": w.batch.pk, "kind": "csv"},
        lambda w: {"pk": w.batch.pk, "kind": "json"},
    ),
    (
        "finance",
        "get",
        "exchanges:rate_set_new_period",
        lambda w: {"pk": w.rate_set.pk},
        lambda w: {"pk": MISSING},
    ),
    (
        "staff",
        "get",
        "cities:expert_detail",
        lambda w: {"pk": own(w).expert.pk},
        lambda w: {"pk": MISSING},
    ),
]


@pytest.mark.parametrize(
    ("role", "method", "name", "mine", "theirs"),
    SWAPS,
    ids=[f"{role}-{name.split(':')[-1]}-{index}" for index, (role, _m, name, _a, _b) in enumerate(SWAPS)],
)
def test_changing_an_id_answers_404(world, role, method, name, mine, theirs):
    # given: the person reaches their own object
    own_answer, _content = run(
        world, role, "get" if method == "get" else "post", reverse(name, kwargs=mine(world)), {}
    )
    assert own_answer in {200, 302}, f"{role} should reach their own object at {name}"
    # when: one id is changed to someone else's object
    url = reverse(name, kwargs=theirs(world))
    answer, content = run(world, role, method, url, {})
    # then: 404, and nothing of the other object shows
    assert answer == 404, f"{role} {method.upper()} {url}: {answer}"
    for side in ("foreign",):
        for exchange in world[side].requests.values():
            assert exchange.title.encode() not in content


def int_urls() -> list[tuple[str, dict, dict]]:
    """Every URL of the URL conf (but the administration) with an id in it, its id kwargs set to MISSING."""
    found = []

    def walk(patterns, namespace: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                converters = getattr(pattern.pattern, "converters", {})
                ids = {
                    key: MISSING
                    for key, conv in converters.items()
                    if conv.__class__.__name__ == "IntConverter"
                }
                if ids:
                    others = {
                        key: "accept" if key == "action" else "csv" for key in converters if key not in ids
                    }
                    found.append((f"{namespace}{pattern.name}", ids, others))

    walk(get_resolver().url_patterns)
    return sorted(found, key=lambda entry: entry[0])


INT_URLS = int_urls()


def test_the_url_conf_has_id_urls():
    names = {name for name, _ids, _others in INT_URLS}
    assert {"exchanges:request_detail", "exchanges:claim_detail", "exchanges:receipt_download"} <= names


@pytest.mark.parametrize(("name", "ids", "others"), INT_URLS, ids=[entry[0] for entry in INT_URLS])
def test_an_id_that_does_not_exist_answers_404(world, name, ids, others):
    """Even for the superuser, who may see everything that exists."""
    url = reverse(name, kwargs={**ids, **others})
    answer, _content = run(world, "superuser", "get", url, {})
    if answer == 405:
        answer, _content = run(world, "superuser", "post", url, {})
    assert answer == 404, f"{url}: {answer}"


# --- signed invitation links ---------------------------------------------------------------------------
def tampered_tokens(world: World) -> dict[str, str]:
    token = world["own"].token()
    return {
        "last characters changed": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "payload changed": signing.dumps(
            {"invitation": world["foreign"].invitation_open.pk}, salt="other-salt"
        ),
        "truncated": token[: len(token) // 2],
        "no signature": token.split(":")[0],
        "garbage": "x" * 20,
        "markup": "<script>alert(1)",
        "very long": "a" * 5000,
        "unicode": "\u202eöß🙂",
        "missing invitation": signing.dumps({"invitation": MISSING}, salt=LINK_SALT),
        "no invitation key": signing.dumps({"x": 1}, salt=LINK_SALT),
        "not a dict": signing.dumps([1, 2], salt=LINK_SALT),
        "wrong type": signing.dumps({"invitation": "abc"}, salt=LINK_SALT),
    }


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ["anonymous", "expert"])
def test_a_tampered_invitation_link_gets_a_clear_error_page(world, role, method):
    invitation = world["own"].invitation_open
    problems = []
    for label, token in tampered_tokens(world).items():
        url = reverse("exchanges:invitation_answer_link", kwargs={"token": token})
        answer, content = run(world, role, method, url, {"answer": "accept"})
        page = content.decode()
        if answer != 400:
            problems.append(f"{label}: {answer}")
        elif "<h1" not in page or world["own"].requests["matching"].title in page:
            problems.append(f"{label}: no clear error page, or it shows the request")
    invitation.refresh_from_db()
    assert invitation.status == "open"
    assert not problems, "\n".join(problems)
