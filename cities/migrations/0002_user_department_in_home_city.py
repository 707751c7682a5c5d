"""A user's department must belong to the user's home city, enforced by the database.

Django has no composite foreign keys, so PostgreSQL gets one by hand (it refers to the unique
(id, city_id) pair of departments); SQLite, used for the embedded default, gets triggers.
"""

from django.db import migrations

PG_FORWARD = """
ALTER TABLE cities_user ADD CONSTRAINT user_department_in_home_city
    FOREIGN KEY (department_id, home_city_id) REFERENCES cities_department (id, city_id)
    DEFERRABLE INITIALLY DEFERRED;
"""
PG_BACKWARD = "ALTER TABLE cities_user DROP CONSTRAINT user_department_in_home_city;"

_SQLITE_CHECK = """
    WHEN NEW.department_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM cities_department d WHERE d.id = NEW.department_id AND d.city_id = NEW.home_city_id)
    BEGIN SELECT RAISE(ABORT, 'user_department_in_home_city'); END;
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER user_department_in_home_city_ins BEFORE INSERT ON cities_user {_SQLITE_CHECK}",
    f"CREATE TRIGGER user_department_in_home_city_upd BEFORE UPDATE OF department_id, home_city_id "
    f"ON cities_user {_SQLITE_CHECK}",
    """CREATE TRIGGER department_city_keeps_members BEFORE UPDATE OF city_id ON cities_department
       WHEN NEW.city_id <> OLD.city_id AND EXISTS (SELECT 1 FROM cities_user u WHERE u.department_id = OLD.id)
       BEGIN SELECT RAISE(ABORT, 'user_department_in_home_city'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS user_department_in_home_city_ins;",
    "DROP TRIGGER IF EXISTS user_department_in_home_city_upd;",
    "DROP TRIGGER IF EXISTS department_city_keeps_members;",
]


def forward(apps, schema_editor):
    statements = {"postgresql": [PG_FORWARD], "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"postgresql": [PG_BACKWARD], "sqlite": SQLITE_BACKWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cities", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
