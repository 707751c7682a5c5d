"""Keywords that point requests to a department (the routing counts them)."""

from django.db import transaction
from django.utils.translation import gettext as _

from cities.directory.german_words import words
from cities.directory.models import Department, DepartmentKeyword
from koopstadt.errors import DomainError

TERM_MAX_LENGTH = 100  # DepartmentKeyword.term


def department_keyword_check(*, department: Department, term: str) -> str:
    """The term as it would be stored, or a DomainError (field ``term``) saying why it cannot be."""
    term = " ".join((term or "").split())
    if not words(term):
        raise DomainError(_("Please enter a term with at least one word."), field="term")
    if len(term) > TERM_MAX_LENGTH:
        raise DomainError(
            _("The term may be at most %(count)d characters long.") % {"count": TERM_MAX_LENGTH}, field="term"
        )
    if DepartmentKeyword.objects.filter(department=department).filter(term__iexact=term).exists():
        raise DomainError(
            _("%(department)s already has the term '%(term)s'.")
            % {"department": department.name, "term": term},
            field="term",
        )
    return term


@transaction.atomic
def department_keyword_add(*, department: Department, term: str) -> DepartmentKeyword:
    """Count ``term`` for ``department`` in every routing from now on."""
    term = department_keyword_check(department=department, term=term)
    keyword = DepartmentKeyword(department=department, term=term)
    keyword.full_clean(validate_constraints=False)  # the check above; the database has the last word
    keyword.save()
    return keyword
