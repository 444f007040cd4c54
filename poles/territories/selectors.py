"""Reading territories."""

from django.core.cache import cache

from .models import Departement, Region


def current_regions():
    return Region.objects.filter(kind=Region.Kind.CURRENT).order_by("name")


def region_by_code(code: str, *, former: bool = False) -> Region | None:
    kind = Region.Kind.FORMER if former else Region.Kind.CURRENT
    return Region.objects.filter(kind=kind, code=code).first()


def departement_index() -> dict[str, Departement]:
    """Départements by code, cached in the process (reference data never changes at run time)."""
    key = "territories:departements"
    found = cache.get(key)
    if found is None:
        found = {d.code: d for d in Departement.objects.select_related("region", "former_region")}
        cache.set(key, found, 3600)
    return found
