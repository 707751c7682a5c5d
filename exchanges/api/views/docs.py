"""The schema and its readable docs (Swagger UI from the sidecar package, served locally: no CDN).

The portal's CSP allows no inline script or style, so the docs page is the split variant: the page
loads Swagger UI's files and its start script from the portal itself (``?script``), and its few
styles from ``static/api/docs.css``.
"""

from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from exchanges.api.views.base import ApiView


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, readable without a token (it describes the API, it holds no data).

    In English unless ``?lang=de`` asks otherwise: the schema is read by developers, the answers'
    messages by people (those follow Accept-Language).
    """

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        if request.GET.get("lang"):
            return super().get(request, *args, **kwargs)
        with translation.override("en"):
            return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


class NotFoundView(ApiView):
    """Any other address under /api/: a 404 as problem+json, not the portal's HTML page."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []
    schema = None

    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        raise exceptions.NotFound

    post = put = patch = delete = get
