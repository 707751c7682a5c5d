"""The option lists of the filter forms — active cities, active topics, coordinators — from the cache.

The triage inbox, the finance queue, the expert pool and the knowledge base offer these lists in their
filter forms on every page view; in a national network the triage filter alone lists 300 cities twice.
They change rarely (a city or a topic is added, renamed or retired, somebody becomes a coordinator)
and are read all the time, so they are kept in the shared cache (``CachedModelChoiceField``) until one
of them changes.

**Invalidation by version token.** Each list is stored together with the token that was current when
it was read from the database; the token is kept under a key of its own, and both are read in one trip
to the cache. A save or delete of a city or a topic, a change of a person (name, e-mail, active) or of
anyone's roles replaces the token (``lists_changed``, connected in ``CitiesConfig.ready``): the stored
list no longer matches, and the next reader reads the database again. The token is replaced at once
and once more after the commit, so a page that read the database between the change and its commit
cannot keep the old list either: it stored it with a token that is no longer current.
Bulk updates bypass the signals; the lists expire after ``CHOICE_LIST_SECONDS`` in any case.

The fields still validate against their querysets: a stale list can never make an unknown id valid.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language

from cities.directory.models import City, Topic, User
from cities.directory.models.topics import localized_name
from koopstadt.formfields import ModelChoiceField

CITIES = "cities"
TOPICS = "topics"
COORDINATORS = "coordinators"
CHOICE_LIST_SECONDS = 3600
_PREFIX = "directory:choices"

Choices = list[tuple[int, str]]


def _cities() -> Choices:
    return list(City.objects.active().order_by("name", "pk").values_list("pk", "name"))


def _topics() -> Choices:
    """The active topics by their names in the active language (``localized_name``), in that order."""
    rows = Topic.objects.active().in_display_order().values_list("pk", "name", "name_en")
    return [(pk, localized_name(name, name_en)) for pk, name, name_en in rows]


def coordinators() -> Any:
    """Whoever counts as the coordination (``cities.directory.rules.is_coordinator``: people with the
    coordinator role and administrators), the assignment form's queryset."""
    return User.objects.coordinators()


def _coordinators() -> Choices:
    people = coordinators().order_by("display_name", "pk").values_list("pk", "display_name", "email")
    return [(pk, name or email) for pk, name, email in people]  # the label str(user) gives


LOADERS: dict[str, Callable[[], Choices]] = {CITIES: _cities, TOPICS: _topics, COORDINATORS: _coordinators}


def _token_key(name: str) -> str:
    return f"{_PREFIX}:{name}:token"


def _list_key(name: str) -> str:
    # Per language: the topics' names are the English ones in the English interface.
    return f"{_PREFIX}:{name}:{get_language() or settings.LANGUAGE_CODE}:list"


def choice_lists(*names: str) -> dict[str, Choices]:
    """(id, label) of each list in ``names``: one trip to the cache, the database for lists that changed.

    A list is stored with the token that was current when it was read; it is used only while that
    token still is.
    """
    found = cache.get_many([key for name in names for key in (_token_key(name), _list_key(name))])
    lists: dict[str, Choices] = {}
    renewed: dict[str, tuple[str, Choices]] = {}
    for name in names:
        token = found.get(_token_key(name))
        if token is None:
            token = uuid.uuid4().hex
            if not cache.add(_token_key(name), token, None):
                token = cache.get(_token_key(name))  # another process was first, or no cache at all
        stored = found.get(_list_key(name))
        if token is not None and stored is not None and stored[0] == token:
            lists[name] = stored[1]
            continue
        lists[name] = LOADERS[name]()
        if token is not None:
            renewed[_list_key(name)] = (token, lists[name])
    if renewed:
        cache.set_many(renewed, CHOICE_LIST_SECONDS)
    return lists


def choice_list(name: str) -> Choices:
    return choice_lists(name)[name]


def lists_changed(*names: str) -> None:
    """The lists ``names`` changed: new tokens now and again once the transaction is committed."""

    def renew() -> None:
        cache.set_many({_token_key(name): uuid.uuid4().hex for name in names}, None)

    renew()
    transaction.on_commit(renew)


# --- signal receivers (connected in cities.apps.CitiesConfig.ready) --------------------------------


def on_city_changed(**_kwargs: Any) -> None:
    lists_changed(CITIES)


def on_topic_changed(**_kwargs: Any) -> None:
    lists_changed(TOPICS)


def on_person_changed(update_fields: Any = None, **_kwargs: Any) -> None:
    # Signing in saves last_login (and an upgraded password hash): nothing the lists show.
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    lists_changed(COORDINATORS)


def on_roles_changed(action: str = "", **_kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        lists_changed(COORDINATORS)


def on_group_changed(**_kwargs: Any) -> None:
    lists_changed(COORDINATORS)


# --- the form field --------------------------------------------------------------------------------


class CachedChoiceIterator(ModelChoiceIterator):
    """The field's options from the cached list, its empty label first."""

    def _choices(self) -> Choices:
        field = self.field
        if field.loaded_choices is None:
            shared = field.shared_lists
            field.loaded_choices = (
                shared.get(field.choice_list) if shared is not None else choice_list(field.choice_list)
            )
        return field.loaded_choices

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self._choices()

    def __len__(self) -> int:
        return len(self._choices()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self._choices())


class CachedModelChoiceField(ModelChoiceField):
    """A model choice field offering one of the cached lists; input is checked against ``queryset``."""

    iterator = CachedChoiceIterator

    def __init__(self, *args: Any, choice_list: str, **kwargs: Any) -> None:
        self.choice_list = choice_list
        self.loaded_choices: Choices | None = None
        self.shared_lists: SharedLists | None = None
        super().__init__(*args, **kwargs)

    def __deepcopy__(self, memo: dict) -> "CachedModelChoiceField":
        result = super().__deepcopy__(memo)
        result.loaded_choices = None  # every form reads the list afresh
        result.shared_lists = None
        return result


def city_filter_field(label: Any, empty_label: Any) -> CachedModelChoiceField:
    """An optional choice of an active city for a filter form, offered from the cached list."""
    return CachedModelChoiceField(
        label=label,
        queryset=City.objects.active(),
        choice_list=CITIES,
        required=False,
        empty_label=empty_label,
    )


def topic_filter_field(label: Any, empty_label: Any) -> CachedModelChoiceField:
    """An optional choice of an active topic for a filter form, offered from the cached list."""
    return CachedModelChoiceField(
        label=label,
        queryset=Topic.objects.active(),
        choice_list=TOPICS,
        required=False,
        empty_label=empty_label,
    )


class SharedLists:
    """The cached lists of one form, read together (one trip to the cache) when the first is needed."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.lists: dict[str, Choices] | None = None

    def get(self, name: str) -> Choices:
        loaded = self.lists or {}
        if name not in loaded:
            self.names.add(name)
            loaded = {**loaded, **choice_lists(*sorted(self.names - set(loaded)))}
            self.lists = loaded
        return loaded[name]


class CachedChoicesForm(forms.Form):
    """A form whose ``CachedModelChoiceField``s read their lists together.

    ``choice_lists``: lists shared with other forms of the same page (one trip to the cache for all).
    """

    def __init__(self, *args: Any, choice_lists: SharedLists | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = [field for field in self.fields.values() if isinstance(field, CachedModelChoiceField)]
        shared = choice_lists or SharedLists(set())
        shared.names |= {field.choice_list for field in fields}
        for field in fields:
            field.shared_lists = shared
