from django.db import migrations

ROLES = ["staff", "city_contact", "department_liaison", "coordinator", "expert", "finance"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("cities", "0002_user_department_in_home_city"), ("auth", "0012_alter_user_first_name_max_length")]

    # Model permissions of the roles are assigned after migrate (cities.apps, services.roles).
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
