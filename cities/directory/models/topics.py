from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class TopicQuerySet(models.QuerySet):
    def active(self) -> "TopicQuerySet":
        return self.filter(is_active=True)


class Topic(models.Model):
    """An entry of the controlled topic vocabulary that coordinators maintain."""

    name = models.CharField(_("name"), max_length=100)
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
        return self.name


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
