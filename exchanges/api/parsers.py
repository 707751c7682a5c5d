"""The API's JSON parser: DRF's, with a limit on nesting.

Python's ``json`` module parses nested arrays and objects recursively: a body of a thousand ``[`` raised
``RecursionError``, which DRF does not catch, so the answer was a 500. Every such body is now a 400
problem+json (``parse-error``), and so is any document nested deeper than ``MAX_DEPTH`` — no request
of the API needs more than a handful of levels, and nothing after the parser has to walk deeper ones.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _too_deep(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists and dicts more than ``limit`` levels (iteratively: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def too_deep_error() -> ParseError:
    return ParseError(_("The JSON is nested too deeply (at most %(depth)d levels).") % {"depth": MAX_DEPTH})


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep_error() from None
        if _too_deep(data, MAX_DEPTH):
            raise too_deep_error()
        return data
