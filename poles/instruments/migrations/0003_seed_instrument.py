from django.db import migrations


def load(apps, schema_editor):
    from poles.instruments.seed import load_seed

    load_seed(
        apps.get_model("instruments", "Instrument"),
        apps.get_model("instruments", "PolicyKeyword"),
        apps.get_model("instruments", "TargetGroup"),
    )


class Migration(migrations.Migration):
    dependencies = [("instruments", "0002_load_reference")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
