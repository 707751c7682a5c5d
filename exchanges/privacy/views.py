"""Everyone downloads the data the portal holds about them (JSON and HTML), from "Mein Konto"."""

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from exchanges.privacy.people import person_data_exported, person_data_json, person_data_tables


def _data_export_filename(extension: str) -> str:
    return f"koopstadt-meine-daten-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
@require_POST
def profile_data_json(request: HttpRequest) -> HttpResponse:
    """Everything the portal holds about the signed-in person, as JSON (Art. 15 and 20 DSGVO)."""
    data = person_data_json(person=request.user)
    person_data_exported(person=request.user, export_format="json", request=request)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_data_export_filename("json")}"'
    return response


@login_required
@require_POST
def profile_data_html(request: HttpRequest) -> HttpResponse:
    """The same data as a self-contained, readable HTML page (downloaded, not shown)."""
    tables = person_data_tables(person=request.user)
    person_data_exported(person=request.user, export_format="html", request=request)
    response = render(
        request,
        "portal/personal_data_export.html",
        {"tables": tables, "person": request.user, "exported_at": timezone.now()},
    )
    response["Content-Disposition"] = f'attachment; filename="{_data_export_filename("html")}"'
    return response
