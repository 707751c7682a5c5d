from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def protected_download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """An uploaded file, only ever as a download with the type we detected (never sniffed, never inline).

    Callers check permission first; uploads are stored outside the web root and served only this way.
    """
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
