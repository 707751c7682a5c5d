"""A user's department must belong to the user's home city, enforced by PostgreSQL.

Django has no composite foreign keys, so PostgreSQL gets one by hand: it refers to the unique
(id, city_id) pair of departments. The embedded SQLite default relies on model validation
(``User.clean``) only: triggers on SQLite would break Django's table rebuilds in later migrations.
"""

from django.db import migrations

PG_FORWARD = """
ALTER TABLE cities_user ADD CONSTRAINT user_department_in_home_city
    FOREIGN KEY (department_id, home_city_id) REFERENCES cities_department (id, city_id)
    DEFERRABLE INITIALLY DEFERRED;
"""
PG_BACKWARD = "ALTER TABLE cities_user DROP CONSTRAINT user_department_in_home_city;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("cities", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
