"""Demo step: give the demo funders a SIRET, so that their grants can be published in SCDL.

The numbers are synthetic (valid check digit, `DEMO` funders only): the real bodies' SIRETs are
entered by officers on the funder's record.
"""

from __future__ import annotations

from stdnum import luhn

from poles.calls.models import Funder
from poles.demo.generator import DemoContext, step


def synthetic_siret(index: int) -> str:
    """A 14-digit SIRET whose SIREN and whole number both pass the Luhn check, distinct per index."""
    siren = f"9{index:07d}"
    siren += luhn.calc_check_digit(siren)
    base = siren + "0001"
    return base + luhn.calc_check_digit(base)


@step("open-data identifiers of funders")
def funder_sirets(ctx: DemoContext) -> None:
    funders = list(Funder.objects.filter(siret="").order_by("slug"))
    for index, funder in enumerate(funders, start=1):
        funder.siret = synthetic_siret(index)
    Funder.objects.bulk_update(funders, ["siret"])
    ctx.count("funder_sirets", len(funders))
