from django.db import migrations


def load(apps, schema_editor):
    from poles.instruments.reference import KEYWORDS, TARGET_GROUPS

    target_group = apps.get_model("instruments", "TargetGroup")
    keyword = apps.get_model("instruments", "PolicyKeyword")
    for position, (code, fr, en) in enumerate(TARGET_GROUPS):
        target_group.objects.update_or_create(code=code, defaults={"label_fr": fr, "label_en": en, "position": position})
    for position, (code, fr, en) in enumerate(KEYWORDS):
        keyword.objects.update_or_create(code=code, defaults={"label_fr": fr, "label_en": en, "position": position})


class Migration(migrations.Migration):
    dependencies = [("instruments", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
