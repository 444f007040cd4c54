"""Importers of the registry: organisations, memberships, yearly figures, outputs (CSV or XLSX)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from poles.clusters.models import Cluster, Membership
from poles.grants.models import Output
from poles.organisations import validators
from poles.organisations.models import Category, Organisation, YearlyFigures
from poles.projects.models import Participation, Project

from .base import (
    Column,
    Importer,
    boolean,
    changed,
    choice,
    country,
    date,
    decimal,
    django_validator,
    integer,
)

IDENTIFIER_COLUMNS = (
    Column("siren", django_validator(validators.validate_siren)),
    Column("pic", django_validator(validators.validate_pic)),
)


def organisation_index() -> tuple[dict[str, int], dict[str, int]]:
    by_siren, by_pic = {}, {}
    for pk, siren, pic in Organisation.objects.values_list("pk", "siren", "pic"):
        if siren:
            by_siren[siren] = pk
        if pic:
            by_pic[pic] = pk
    return by_siren, by_pic


class OrganisationRefs:
    """Find an organisation named by SIREN or PIC in a row; record an error when it is unknown."""

    def __init__(self, importer: Importer):
        self.importer = importer
        self.by_siren, self.by_pic = organisation_index()

    def find(self, line: int, values: dict[str, Any]) -> int | None:
        siren, pic = values.get("siren"), values.get("pic")
        if not siren and not pic:
            self.importer.result.error(line, "siren", _("Give the organisation's SIREN or PIC."))
            return None
        pk = self.by_siren.get(siren) if siren else self.by_pic.get(pic)
        if pk is None:
            self.importer.result.error(
                line, "siren" if siren else "pic", _("No organisation has the identifier “%(value)s”."),
                value=siren or pic,
            )  # fmt: skip
        return pk


class OrganisationImporter(Importer):
    """Organisations keyed by SIREN, else PIC: a known one is updated, an unknown one created."""

    kind = "organisations"
    columns = (
        Column("name", required=True, aliases=("nom", "raison sociale")),
        Column("category", choice(Category.values), required=True, aliases=("catégorie",)),
        *IDENTIFIER_COLUMNS,
        Column("siret", django_validator(validators.validate_siret)),
        Column("vat", django_validator(validators.validate_vat), aliases=("tva",)),
        Column("rnsr", django_validator(validators.validate_rnsr)),
        Column("ror", django_validator(validators.validate_ror)),
        Column("acronym", aliases=("sigle",)),
        Column("street", aliases=("adresse",)),
        Column("postcode", aliases=("code postal",)),
        Column("commune", aliases=("city", "ville")),
        Column("country", country, aliases=("pays",)),
        Column("website", aliases=("site web",)),
    )
    FIELDS = ("name", "category", "siren", "siret", "vat", "rnsr", "ror", "acronym", "street", "postcode",
              "commune", "country", "website", "pic")  # fmt: skip

    def check(self, rows):
        for line, values in rows:
            if not values.get("siren") and not values.get("pic"):
                self.result.error(line, "siren", _("Give the organisation's SIREN or PIC."))
            siret = values.get("siret")
            if siret and values.get("siren") and not siret.startswith(values["siren"]):
                self.result.error(line, "siret", _("The SIRET must start with the organisation's SIREN."))
            if siret and not values.get("siren"):
                values["siren"] = siret[:9]
            values["country"] = values.get("country") or "FR"
        self.duplicates(rows, lambda v: ("siren", v["siren"]) if v.get("siren") else None, "siren")
        self.duplicates(rows, lambda v: ("pic", v["pic"]) if v.get("pic") else None, "pic")

    def apply(self, rows):
        by_siren, by_pic = organisation_index()
        ids = [by_siren.get(v.get("siren")) or by_pic.get(v.get("pic")) for _line, v in rows]
        existing = Organisation.objects.in_bulk([pk for pk in ids if pk])
        new, dirty = [], []
        for (line, values), pk in zip(rows, ids, strict=True):
            data = {f: values.get(f) or "" for f in self.FIELDS}
            if pk:
                obj = existing[pk]
                if changed(obj, data):
                    obj.version += 1
                    dirty.append(obj)
                else:
                    self.result.skipped["organisations"] += 1
            else:
                obj = Organisation(**data)
                try:
                    obj.full_clean(exclude=["departement"], validate_unique=False, validate_constraints=False)
                except ValidationError as exc:
                    for column, messages in exc.message_dict.items():
                        self.result.error(line, column, messages[0])
                    continue
                new.append(obj)
        if self.result.errors:
            return
        self.store("organisations", Organisation, new, dirty, [*self.FIELDS, "version"], batch_size=2000)


class MembershipImporter(Importer):
    """Cluster memberships keyed by (cluster, organisation, start)."""

    kind = "memberships"
    columns = (
        Column("cluster", required=True, aliases=("pôle", "pole")),
        *IDENTIFIER_COLUMNS,
        Column("kind", choice(Membership.Kind.values), aliases=("type",)),
        Column("start", date, required=True, aliases=("début", "debut")),
        Column("end", date, aliases=("fin",)),
    )

    def check(self, rows):
        clusters = dict(Cluster.objects.values_list("slug", "pk"))
        refs = OrganisationRefs(self)
        for line, values in rows:
            if values.get("start") and values.get("end") and values["end"] < values["start"]:
                self.result.error(line, "end", _("A membership cannot end before it starts."))
            values["cluster_id"] = clusters.get(values.get("cluster"))
            if values.get("cluster") and values["cluster_id"] is None:
                self.result.error(
                    line, "cluster", _("No cluster has the code “%(value)s”."), value=values["cluster"]
                )
            values["organisation_id"] = refs.find(line, values)
        self.duplicates(
            rows, lambda v: (v.get("cluster_id"), v.get("organisation_id"), v.get("start")), "start"
        )

    def apply(self, rows):
        existing = {
            (m.cluster_id, m.organisation_id, m.start): m
            for m in Membership.objects.filter(organisation_id__in={v["organisation_id"] for _l, v in rows})
        }
        new, dirty = [], []
        for _line, v in rows:
            data = {"kind": v.get("kind") or Membership.Kind.MEMBER, "end": v.get("end")}
            obj = existing.get((v["cluster_id"], v["organisation_id"], v["start"]))
            if obj is None:
                new.append(
                    Membership(
                        cluster_id=v["cluster_id"],
                        organisation_id=v["organisation_id"],
                        start=v["start"],
                        **data,
                    )
                )
            elif changed(obj, data):
                obj.version += 1
                dirty.append(obj)
            else:
                self.result.skipped["memberships"] += 1
        self.store("memberships", Membership, new, dirty, ["kind", "end", "version"])


class FiguresImporter(Importer):
    """Yearly figures keyed by (organisation, year); size classes are recomputed afterwards."""

    kind = "figures"
    FIELDS = ("headcount", "turnover", "balance_sheet", "rd_spending", "rd_staff", "patents_filed")
    columns = (
        *IDENTIFIER_COLUMNS,
        Column("year", integer, required=True, aliases=("année", "annee")),
        Column("headcount", decimal, aliases=("effectif",)),
        Column("turnover", decimal, aliases=("chiffre d'affaires", "ca")),
        Column("balance_sheet", decimal, aliases=("total de bilan", "bilan")),
        Column("rd_spending", decimal, aliases=("dépenses r&d",)),
        Column("rd_staff", decimal),
        Column("patents_filed", integer, aliases=("brevets",)),
    )

    def check(self, rows):
        refs = OrganisationRefs(self)
        for line, values in rows:
            year = values.get("year")
            if year is not None and not 1950 <= year <= 2100:
                self.result.error(line, "year", _("The year must be between 1950 and 2100."))
            values["organisation_id"] = refs.find(line, values)
            for name in ("turnover", "balance_sheet", "rd_spending"):
                if values.get(name) is not None:
                    values[name] = values[name].quantize(1)
        self.duplicates(rows, lambda v: (v.get("organisation_id"), v.get("year")), "year")

    def apply(self, rows):
        from poles.organisations.services import recompute_sizes

        existing = {
            (f.organisation_id, f.year): f
            for f in YearlyFigures.objects.filter(
                organisation_id__in={v["organisation_id"] for _l, v in rows}
            )
        }
        new, dirty = [], []
        for _line, v in rows:
            data = {f: v.get(f) for f in self.FIELDS}
            obj = existing.get((v["organisation_id"], v["year"]))
            if obj is None:
                new.append(YearlyFigures(organisation_id=v["organisation_id"], year=v["year"], **data))
            elif changed(obj, data):
                dirty.append(obj)
            else:
                self.result.skipped["figures"] += 1
        self.store("figures", YearlyFigures, new, dirty, list(self.FIELDS))
        for organisation in Organisation.objects.filter(pk__in={v["organisation_id"] for _l, v in rows}):
            recompute_sizes(organisation)


class OutputImporter(Importer):
    """Outputs of projects, keyed by (project, partner, kind, date, title); imported as declared."""

    kind = "outputs"
    FIELDS = ("quantity", "doi", "patent_number", "licensee", "licence_kind", "evidence_url", "evidence_note",
              "description")  # fmt: skip
    columns = (
        Column("project", integer, required=True, aliases=("projet",)),
        *IDENTIFIER_COLUMNS,
        Column("kind", choice(Output.Kind.values), required=True, aliases=("type",)),
        Column("date", date, required=True, aliases=("achieved_on",)),
        Column("title", required=True, aliases=("titre",)),
        Column("description"),
        Column("quantity", decimal, aliases=("quantité",)),
        Column("doi"),
        Column("patent_number", aliases=("brevet",)),
        Column("licensee"),
        Column("licence_kind", choice(Output.LicenceKind.values)),
        Column("evidence_url", aliases=("preuve",)),
        Column("evidence_note"),
    )

    def check(self, rows):
        refs = OrganisationRefs(self)
        projects = set(
            Project.objects.filter(pk__in={v.get("project") for _l, v in rows}).values_list("pk", flat=True)
        )
        partners = {
            (p, o): pk
            for pk, p, o in Participation.objects.filter(project_id__in=projects).values_list(
                "pk", "project_id", "organisation_id"
            )
        }
        for line, values in rows:
            organisation = refs.find(line, values)
            if values.get("project") is not None and values["project"] not in projects:
                self.result.error(
                    line, "project", _("No project has the number %(value)s."), value=values["project"]
                )
                continue
            if organisation is None or values.get("project") is None:
                continue
            values["participation_id"] = partners.get((values["project"], organisation))
            if values["participation_id"] is None:
                self.result.error(line, "siren", _("This organisation is not a partner of the project."))
                continue
            output = Output(
                project_id=values["project"], participation_id=values["participation_id"], kind=values.get("kind", ""),
                achieved_on=values.get("date"), title=values.get("title", ""),
                **{f: values.get(f) if f == "quantity" else values.get(f) or "" for f in self.FIELDS},
            )  # fmt: skip
            try:
                output.full_clean(exclude=["project", "participation"])
            except ValidationError as exc:
                for column, messages in exc.message_dict.items():
                    self.result.error(line, column, messages[0])
        self.duplicates(rows, self._key, "title")

    @staticmethod
    def _key(v):
        return (v.get("participation_id"), v.get("kind"), v.get("date"), v.get("title"))

    def apply(self, rows):
        existing = {
            (o.participation_id, o.kind, o.achieved_on, o.title): o
            for o in Output.objects.filter(participation_id__in={v["participation_id"] for _l, v in rows})
        }
        new, dirty = [], []
        for _line, v in rows:
            data = {f: v.get(f) if f == "quantity" else v.get(f) or "" for f in self.FIELDS}
            obj = existing.get(self._key(v))
            if obj is None:
                new.append(
                    Output(
                        project_id=v["project"], participation_id=v["participation_id"], kind=v["kind"],
                        achieved_on=v["date"], title=v["title"], **data,
                    )
                )  # fmt: skip
            elif changed(obj, data):
                obj.version += 1
                dirty.append(obj)
            else:
                self.result.skipped["outputs"] += 1
        self.store("outputs", Output, new, dirty, [*self.FIELDS, "version"])


__all__ = ["FiguresImporter", "MembershipImporter", "OrganisationImporter", "OutputImporter", "boolean"]
