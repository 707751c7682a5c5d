"""Plain text from templates: e-mail subjects and bodies, rendered without HTML escaping.

Django's template engine escapes for HTML, so a request titled ``Say "hi"`` reached mail subjects as
``Say &quot;hi&quot;`` (bodies were wrapped in ``{% autoescape off %}`` by hand, subjects were not).
Plain-text templates are rendered by the engine ``text`` (settings: ``TEMPLATES``), the same templates
with escaping off, so no template can forget it. Subjects are one line: every run of whitespace, line
breaks of every kind included, becomes a single space, so typed text can never add a mail header (and
Django's mail refuses line breaks in headers besides).

Every such template may name the portal and the network: ``portal_name`` and ``network_name`` (settings
PORTAL_NAME, NETWORK_NAME) are in every context.
"""

from typing import Any

from django.conf import settings
from django.template import engines


def render_plain(template_name: str, context: dict[str, Any]) -> str:
    names = {"portal_name": settings.PORTAL_NAME, "network_name": settings.NETWORK_NAME}
    return engines["text"].get_template(template_name).render({**names, **context})


def render_subject(template_name: str, context: dict[str, Any]) -> str:
    return " ".join(render_plain(template_name, context).split())
