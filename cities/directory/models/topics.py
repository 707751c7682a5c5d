from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def english_names() -> bool:
    """Does the active language show the vocabulary's English names?"""
    return (get_language() or "").startswith("en")


def localized_name(name: str, name_en: str) -> str:
    """A vocabulary entry's name in the active language: the English one in the English interface when
    there is one, the German one otherwise (German is the vocabulary's own language)."""
    return name_en if name_en and english_names() else name


class TopicQuerySet(models.QuerySet):
    def active(self) -> "TopicQuerySet":
        return self.filter(is_active=True)

    def in_display_order(self) -> "TopicQuerySet":
        """Ordered by the names people read (``localized_name``): the English ones in English."""
        if english_names():
            return self.order_by(Coalesce(NullIf("name_en", Value("")), "name"), "pk")
        return self.order_by("name", "pk")


class Topic(models.Model):
    """An entry of the controlled topic vocabulary that coordinators maintain."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(
        _("English name"),
        max_length=100,
        blank=True,
        help_text=_("Shown in the English interface; empty: the German name is shown there too."),
    )
    slug = models.SlugField(_("short name in addresses"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="topic_name_unique_ci")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name people read: English in the English interface (``localized_name``)."""
        return localized_name(self.name, self.name_en)


class TopicKeyword(models.Model):
    """A German keyword or synonym of a topic, used to route requests."""

    class Kind(models.TextChoices):
        KEYWORD = "keyword", _("keyword")
        SYNONYM = "synonym", _("synonym")

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="keywords", verbose_name=_("topic")
    )
    term = models.CharField(_("term"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.KEYWORD)

    class Meta:
        verbose_name = _("topic keyword")
        verbose_name_plural = _("topic keywords")
        ordering = ["term"]
        constraints = [models.UniqueConstraint("topic", Lower("term"), name="topic_keyword_unique")]

    def __str__(self) -> str:
        return self.term
