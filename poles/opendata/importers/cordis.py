"""EU framework-programme projects: CORDIS `project.csv` + `organization.csv`, and the Horizon 2020
participations extract (`h2020.csv.gz`). They become external projects (`source = cordis`), keyed by
the CORDIS project id, with their participants keyed by PIC.

An organisation already in the registry (same PIC) keeps its name and category: the registry is the
programme's own record. Unknown participants are created from what the file says.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from poles.organisations import validators
from poles.organisations.models import Category, Organisation
from poles.projects.models import Participation, Project

from .base import (
    Column,
    Importer,
    boolean,
    changed,
    country,
    date,
    decimal,
    django_validator,
    insert_rows,
    integer,
    text,
)

# CORDIS activity types -> the programme's organisation categories.
ACTIVITY_TYPES = {
    "PRC": Category.COMPANY,
    "HES": Category.HEI_RESEARCH,
    "REC": Category.PUBLIC_RESEARCH,
    "PUB": Category.LOCAL_AUTHORITY,
    "OTH": Category.NONPROFIT_RESEARCH,
}
ROLES = {"coordinator": Participation.Role.LEAD}
PROJECT_FIELDS = ("start_date", "duration_months", "total_cost", "external_funding")


def months_between(start: dt.date | None, end: dt.date | None) -> int | None:
    if not start or not end:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day - 1 else 0)
    return max(1, min(120, months))


CENT = Decimal("0.01")


def cents(value: Decimal | None) -> Decimal | None:
    """Amounts as the database keeps them (2 decimals), so that a re-import compares equal."""
    return None if value is None else value.quantize(CENT)


def valid_vat(value: str | None) -> str:
    """CORDIS VAT numbers are often partial; the registry keeps only valid ones."""
    if not value:
        return ""
    try:
        validators.validate_vat(value)
    except ValidationError:
        return ""
    return value[:20]


def first_of_repeated(parse):
    """CORDIS repeats a value per role of the organisation (`PRC;PRC`, `FI;FI`): read the first."""

    def read(value: str):
        return parse(value.split(";", 1)[0])

    return read


def _activity(value: str) -> str:
    value = value.strip().upper()
    if value and value not in ACTIVITY_TYPES:
        from .base import CellError

        raise CellError(
            _("“%(value)s” is not a CORDIS activity type (PRC, HES, REC, PUB, OTH)."), value=value
        )
    return value


def _role(value: str) -> str:
    value = value.strip().casefold()
    if value and value not in (
        "coordinator",
        "participant",
        "partner",
        "thirdparty",
        "associatedpartner",
        "internationalpartner",
    ):
        from .base import CellError

        raise CellError(
            _("“%(value)s” is not a CORDIS role (coordinator, participant, partner…)."), value=value
        )
    return value


class EuProjectsImporter(Importer):
    """What the CORDIS and H2020 importers share: upsert projects, organisations, participations."""

    def upsert(
        self, projects: dict[str, dict], organisations: dict[str, dict], participations: list[dict]
    ) -> None:
        # Whole-table reads filtered here rather than `IN (…)` lists of tens of thousands of keys,
        # whose binding costs more than the scan.
        existing = {
            p.external_id: p
            for p in Project.objects.filter(source=Project.Source.CORDIS).only(
                "pk", "external_id", "version", *PROJECT_FIELDS, "acronym", "title"
            )
            if p.external_id in projects
        }
        new, dirty = [], []
        untitled = str(_("EU project %(id)s"))
        for key, data in projects.items():
            obj = existing.get(key)
            fields = {f: data.get(f) for f in PROJECT_FIELDS}
            fields["total_cost"] = cents(fields["total_cost"]) or Decimal(0)
            fields["external_funding"] = cents(fields["external_funding"])
            if data.get("title"):
                fields["title"] = data["title"][:300]
                fields["acronym"] = (data.get("acronym") or key)[:40]
            if obj is None:
                fields.setdefault("title", untitled % {"id": key})
                fields.setdefault("acronym", key[:40])
                new.append({"source": Project.Source.CORDIS, "status": Project.Status.EXTERNAL, "external_id": key,
                            "title_key": str(fields["title"]).casefold()[:300], **fields})  # fmt: skip
            elif changed(obj, fields):
                obj.version += 1
                dirty.append(obj)
            else:
                self.result.skipped["projects"] += 1
        self.store(
            "projects", Project, new, dirty, [*PROJECT_FIELDS, "acronym", "title", "version"], batch_size=5000
        )

        all_pics = dict(Organisation.objects.exclude(pic="").values_list("pic", "pk"))
        known = {pic: pk for pic, pk in all_pics.items() if pic in organisations}
        unnamed = str(_("Organisation PIC %(pic)s"))
        fresh = [
            {
                "pic": pic, "name": (data.get("name") or unnamed % {"pic": pic})[:255],
                "acronym": (data.get("acronym") or "")[:40], "category": ACTIVITY_TYPES.get(data.get("type") or "OTH"),
                "country": data.get("country") or "FR", "vat": valid_vat(data.get("vat")), "street": (data.get("street") or "")[:255],
                "postcode": (data.get("postcode") or "")[:10], "commune": (data.get("city") or "")[:120],
            }
            for pic, data in organisations.items()
            if pic not in known
        ]  # fmt: skip
        insert_rows(Organisation, fresh)
        self.result.created["organisations"] += len(fresh)
        self.result.skipped["organisations"] += len(known)

        project_ids = dict(
            Project.objects.filter(source=Project.Source.CORDIS).values_list("external_id", "pk")
        )
        org_ids = dict(Organisation.objects.exclude(pic="").values_list("pic", "pk")) if fresh else all_pics
        wanted = {project_ids[key] for key in projects}
        current = (
            {
                (p.project_id, p.organisation_id): p
                for p in Participation.objects.filter(project__source=Project.Source.CORDIS).only(
                    "pk",
                    "project_id",
                    "organisation_id",
                    "role",
                    "category",
                    "external_funding",
                    "total_cost",
                )
                if p.project_id in wanted
            }
            if existing
            else {}
        )
        new_parts, dirty_parts = [], []
        for row in participations:
            project_id, org_id = project_ids[row["project"]], org_ids[row["pic"]]
            fields = {
                "role": ROLES.get(row.get("role") or "", Participation.Role.PARTNER),
                "category": ACTIVITY_TYPES.get(row.get("type") or "OTH"),
                "external_funding": cents(row.get("contribution")),
                "total_cost": cents(row.get("total_cost")) or Decimal(0),
            }
            obj = current.get((project_id, org_id))
            if obj is None:
                new_parts.append({"project_id": project_id, "organisation_id": org_id, "in_territory": False,
                                  "territory_share": Decimal(0), **fields})  # fmt: skip
            elif changed(obj, fields):
                dirty_parts.append(obj)
            else:
                self.result.skipped["participations"] += 1
        self.store(
            "participations", Participation, new_parts, dirty_parts,
            ["role", "category", "external_funding", "total_cost"], batch_size=5000,
        )  # fmt: skip


PIC = django_validator(validators.validate_pic)


class H2020Importer(EuProjectsImporter):
    """The Horizon 2020 participations extract: one row per participation, no names."""

    kind = "h2020"
    columns = (
        Column("rcn", integer, required=True),
        Column("role", _role, required=True),
        Column("pic", PIC, required=True),
        Column("type", _activity),
        Column("contribution", decimal),
        Column("country", country),
        Column("start_date", date),
        Column("end_date", date),
        Column("max_contribution", decimal),
        Column("total_cost", decimal),
        Column("duration", integer),
    )

    def check(self, rows):
        self.duplicates(rows, lambda v: (v.get("rcn"), v.get("pic")), "pic")
        for line, v in rows:
            if v.get("start_date") and v.get("end_date") and v["end_date"] < v["start_date"]:
                self.result.error(line, "end_date", _("The end date is before the start date."))
            if v.get("duration") is not None and not 1 <= v["duration"] <= 120:
                self.result.error(line, "duration", _("The duration must be between 1 and 120 months."))

    def apply(self, rows):
        projects: dict[str, dict] = {}
        organisations: dict[str, dict] = {}
        participations = []
        for _line, v in rows:
            key = str(v["rcn"])
            if key not in projects:
                projects[key] = {
                    "start_date": v.get("start_date"),
                    "duration_months": v.get("duration")
                    or months_between(v.get("start_date"), v.get("end_date")),
                    "total_cost": v.get("total_cost"),
                    "external_funding": v.get("max_contribution"),
                }
            organisations.setdefault(v["pic"], {"type": v.get("type"), "country": v.get("country")})
            participations.append({"project": key, "pic": v["pic"], "role": v["role"], "type": v.get("type"),
                                   "contribution": v.get("contribution")})  # fmt: skip
        self.upsert(projects, organisations, participations)


class CordisProjectsImporter(Importer):
    kind = "cordis-projects"
    columns = (
        Column("id", text, required=True),
        Column("acronym", text),
        Column("status", text),
        Column("title", text, required=True),
        Column("startDate", date),
        Column("endDate", date),
        Column("totalCost", decimal),
        Column("ecMaxContribution", decimal),
    )

    def check(self, rows):
        self.duplicates(rows, lambda v: v.get("id"), "id")
        for line, v in rows:
            if v.get("startDate") and v.get("endDate") and v["endDate"] < v["startDate"]:
                self.result.error(line, "endDate", _("The end date is before the start date."))
            if v.get("id") and len(v["id"]) > 40:
                self.result.error(line, "id", _("A project id has at most 40 characters."))


class CordisOrganisationsImporter(Importer):
    kind = "cordis-organizations"
    columns = (
        Column("projectID", text, required=True),
        Column("organisationID", PIC, required=True),
        Column("vatNumber", text),
        Column("name", text, required=True),
        Column("shortName", text),
        Column("SME", boolean),
        Column("activityType", first_of_repeated(_activity)),
        Column("street", text),
        Column("postCode", text),
        Column("city", text),
        Column("country", first_of_repeated(country)),
        Column("role", _role),
        Column("ecContribution", decimal),
        Column("totalCost", decimal),
    )

    def check(self, rows):
        # CORDIS lists an organisation twice in a project when it is also a third party of another
        # partner: the first row (its main role) is kept, the others are counted as skipped.
        return None


class CordisImporter(EuProjectsImporter):
    """Both CORDIS files at once: every participation must name a project of the projects file."""

    kind = "cordis"

    def run_pair(self, projects_rows, organisation_rows):
        ids = {v.get("id") for _l, v in projects_rows}
        for line, v in organisation_rows:
            if v.get("projectID") and v["projectID"] not in ids:
                self.result.error(line, "projectID", _("The project “%(value)s” is not in the projects file."),
                                  value=v["projectID"])  # fmt: skip
        if self.result.errors:
            return
        projects = {
            v["id"]: {
                "title": v["title"], "acronym": v.get("acronym"), "start_date": v.get("startDate"),
                "duration_months": months_between(v.get("startDate"), v.get("endDate")),
                "total_cost": v.get("totalCost"), "external_funding": v.get("ecMaxContribution"),
            }
            for _l, v in projects_rows
        }  # fmt: skip
        organisations = {}
        participations = []
        seen = set()
        for _l, v in organisation_rows:
            if (v["projectID"], v["organisationID"]) in seen:
                self.result.skipped["repeated_participations"] += 1
                continue
            seen.add((v["projectID"], v["organisationID"]))
            organisations.setdefault(v["organisationID"], {
                "name": v["name"], "acronym": v.get("shortName"), "type": v.get("activityType"),
                "country": v.get("country"), "street": v.get("street"), "postcode": v.get("postCode"),
                "city": v.get("city"),
            })  # fmt: skip
            participations.append({"project": v["projectID"], "pic": v["organisationID"], "role": v.get("role"),
                                   "type": v.get("activityType"), "contribution": v.get("ecContribution"),
                                   "total_cost": v.get("totalCost")})  # fmt: skip
        self.upsert(projects, organisations, participations)
