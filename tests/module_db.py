"""Data built once for a test module and rolled back after its last test."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back_after_module(django_db_blocker) -> Iterator[None]:
    """A transaction that stays open while a module's tests run and is rolled back at its end; each test's
    own transaction (the ``db`` fixture) is a savepoint inside it, so what a test changes is gone before the
    next one. Modules whose tests need real commits (threads, other processes) cannot use it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
