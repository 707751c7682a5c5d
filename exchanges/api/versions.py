"""ETags and If-Match: an API client's edit carries the version it started from (docs/api.md, "Versions").

Every object with a version answers with ``ETag: "<kind>-<id>-v<version>"``. A PATCH/PUT or a POST of an
action with ``If-Match`` is checked against the version inside the service's locked transaction; a
stale tag answers 412 Precondition Failed (problem+json, saying who changed what and when) and changes
nothing. A request without If-Match is allowed (simple clients), as documented.
"""

import re

from django.db import models
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from exchanges.api.errors import PreconditionFailed
from koopstadt.versioning import Versioned


def etag(obj: Versioned) -> str:
    return f'"{obj._meta.model_name}-{obj.pk}-v{obj.version}"'


def with_etag(response: Response, obj: Versioned) -> Response:
    response["ETag"] = etag(obj)
    return response


def if_match_version(request: Request, obj: models.Model) -> int | None:
    """The version the client's If-Match names for ``obj``; None without If-Match (or with ``*``).

    A tag that is not one of ``obj``'s (another object's, or malformed) can never match: 412 at once.
    """
    header = request.META.get("HTTP_IF_MATCH", "").strip()
    if not header or header == "*":
        return None
    pattern = re.compile(rf'^(?:W/)?"{re.escape(obj._meta.model_name)}-{obj.pk}-v(\d{{1,9}})"$')
    for tag in header.split(","):
        match = pattern.match(tag.strip())
        if match:
            return int(match.group(1))
    raise PreconditionFailed(
        _("If-Match names no version of this object. Read it again (GET) and send its current ETag.")
    )
