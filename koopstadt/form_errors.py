"""A service's refusal shown on the form that asked for it (koopstadt.errors, Django's ValidationError)."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: Exception) -> None:
    """Each message next to the field it names, at the top when it names none of the form's fields."""
    if isinstance(error, ValidationError):
        pairs = (
            [(field, message) for field, messages_ in error.message_dict.items() for message in messages_]
            if hasattr(error, "error_dict")
            else [(None, message) for message in error.messages]
        )
    else:
        pairs = [(getattr(error, "field", None), getattr(error, "message", str(error)))]
    for field, message in pairs:
        form.add_error(field if field in form.fields else None, message)
