from django.db import migrations


def load(apps, schema_editor):
    from poles.territories.services import load_reference

    load_reference(apps.get_model("territories", "Region"), apps.get_model("territories", "Departement"))


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
