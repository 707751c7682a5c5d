"""Per-year running numbers (reference numbers, booking numbers) without duplicates under concurrency."""

from django.db import models


def next_number(counter_model: type[models.Model], year: int) -> int:
    """The next number of ``year`` from a counter table (``year`` primary key, ``last_number``).

    Must run inside the transaction that uses the number: the counter row stays locked until it
    commits, so concurrent callers wait and get the following numbers. A rollback may leave a gap.
    """
    counter_model.objects.bulk_create([counter_model(year=year)], ignore_conflicts=True)
    counter = counter_model.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number
