from django.db import migrations


def load(apps, schema_editor):
    from poles.clusters.reference import KPIS

    kpi = apps.get_model("clusters", "Kpi")
    for code, fr, en, unit, source in KPIS:
        kpi.objects.update_or_create(code=code, defaults={"label_fr": fr, "label_en": en, "unit": unit, "source": source})


class Migration(migrations.Migration):
    dependencies = [("clusters", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
