"""Loading the built-in territories (idempotent: safe on every migrate)."""

from django.db import transaction

from . import reference


@transaction.atomic
def load_reference(region_model=None, departement_model=None) -> None:
    """Create or update every region and département of `reference`.

    The models are parameters so the data migration can pass its historical models.
    """
    if region_model is None:
        from .models import Departement, Region

        region_model, departement_model = Region, Departement
    current = {}
    for code, name in reference.CURRENT_REGIONS.items():
        current[code], _ = region_model.objects.update_or_create(
            kind="current", code=code, defaults={"name": name, "successor": None}
        )
    former = {}
    for code, (name, successor) in reference.FORMER_REGIONS.items():
        former[code], _ = region_model.objects.update_or_create(
            kind="former", code=code, defaults={"name": name, "successor": current[successor]}
        )
    for code, (name, former_code) in reference.DEPARTEMENTS.items():
        departement_model.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "former_region": former[former_code],
                "region": current[reference.FORMER_REGIONS[former_code][1]],
            },
        )
