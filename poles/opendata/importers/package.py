"""Read back a data package written by `poles export datapackage`: the round trip of the public data.

Every table is parsed and checked (types, required cells, references inside the package) before
anything is written. Rows are matched to what the database holds by their lasting keys — slugs and
references, SIREN or PIC for organisations, the CORDIS id or (call, acronym, title) for projects —
so that importing a package twice changes nothing, and into an empty database rebuilds the public
data. A decision's eligible cost and rate are not public: an imported decision carries its amount
as eligible cost at rate 1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from poles.calls.models import Call, Funder
from poles.clusters.models import Cluster, Membership
from poles.grants.models import Decision, Output
from poles.instruments.models import Programme
from poles.opendata.exporters.datapackage import TABLES, Table
from poles.organisations.models import Organisation
from poles.projects.models import Participation, Project
from poles.territories.models import Departement

from .base import CellError, Column, Importer, Rejected, changed, date, decimal, integer, read_table, text


def _datetime(value: str) -> dt.datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CellError(_("“%(value)s” is not a date and time (ISO 8601)."), value=value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


PARSERS = {"string": text, "integer": integer, "number": decimal, "date": date, "datetime": _datetime}


class TableImporter(Importer):
    def __init__(self, result, table: Table):
        super().__init__(result)
        self.kind = table.name
        self.columns = tuple(
            Column(name, PARSERS[kind], required=name in table.required or name in table.primary_key,
                   optional_column=False)
            for name, kind in table.fields
        )  # fmt: skip


class PackageImporter(Importer):
    kind = "datapackage"

    def read(self, directory: Path) -> dict[str, list[tuple[int, dict]]]:
        tables = {}
        for table in TABLES:
            path = Path(directory) / f"{table.name}.csv"
            source = f"{table.name}.csv"
            if not path.is_file():
                self.result.error(0, "", _("The data package has no file %(name)s."), name=source)
                continue
            reader = TableImporter(self.result, table)
            reader.allow_empty = True  # an empty table (no outputs yet…) is no error in a package
            try:
                header, rows = read_table(path, source, table.columns)
            except Rejected as exc:
                self.result.errors.extend(exc.errors)
                continue
            before = len(self.result.errors)
            parsed = reader.parse(header, rows, source)
            for error in self.result.errors[before:]:
                error.column = f"{table.name}.{error.column}" if error.column else table.name
            tables[table.name] = parsed
        return tables

    def check(self, tables):
        keys = {
            "programmes": {v["slug"] for _l, v in tables.get("programmes", [])},
            "funders": {v["slug"] for _l, v in tables.get("funders", [])},
            "organisations": {v["id"] for _l, v in tables.get("organisations", [])},
            "clusters": {v["slug"] for _l, v in tables.get("clusters", [])},
            "calls": {v["reference"] for _l, v in tables.get("calls", [])},
            "projects": {v["id"] for _l, v in tables.get("projects", [])},
        }
        for table in TABLES:
            for column, target, _field in table.foreign_keys:
                for line, values in tables.get(table.name, []):
                    value = values.get(column)
                    if value not in (None, "") and value not in keys[target]:
                        self.result.error(
                            line, f"{table.name}.{column}", _("“%(value)s” is not in the package's %(table)s."),
                            value=value, table=target,
                        )  # fmt: skip
        self.duplicates_in(tables, "organisations", lambda v: v["id"], "id")

    def duplicates_in(self, tables, name, key, column):
        before = len(self.result.errors)
        self.duplicates(tables.get(name, []), key, column)
        for error in self.result.errors[before:]:
            error.column = f"{name}.{error.column}"

    # ------------------------------------------------------------------ apply
    def _upsert(
        self, kind: str, model, rows: list[tuple[Any, dict]], existing: dict, fields: list[str]
    ) -> dict:
        """rows: (key, values); returns key -> pk."""
        new, dirty = [], []
        ids = {}
        for key, values in rows:
            obj = existing.get(key)
            if obj is None:
                obj = model(**values)
                new.append((key, obj))
            elif changed(obj, {f: values[f] for f in fields if f in values}):
                if hasattr(obj, "version"):
                    obj.version += 1
                dirty.append(obj)
                ids[key] = obj.pk
            else:
                self.result.skipped[kind] += 1
                ids[key] = obj.pk
        created = model.objects.bulk_create([obj for _k, obj in new], batch_size=2000)
        for (key, _obj), obj in zip(new, created, strict=True):
            ids[key] = obj.pk
        if dirty:
            versioned = ["version"] if hasattr(model, "version") else []
            model.objects.bulk_update(dirty, [*fields, *versioned], batch_size=2000)
        self.result.created[kind] += len(new)
        self.result.updated[kind] += len(dirty)
        return ids

    def apply(self, tables):
        departements = dict(Departement.objects.values_list("code", "pk"))
        t = {name: [v for _l, v in rows] for name, rows in tables.items()}

        programmes = self._upsert(
            "programmes", Programme, [(v["slug"], v) for v in t["programmes"]],
            Programme.objects.in_bulk(field_name="slug"), ["name_fr", "name_en", "authority", "authority_kind", "start_year"],
        )  # fmt: skip
        funders = self._upsert(
            "funders", Funder, [(v["slug"], {**v, "acronym": v["acronym"] or "", "siret": v["siret"] or ""}) for v in t["funders"]],
            Funder.objects.in_bulk(field_name="slug"), ["name", "acronym", "kind", "siret"],
        )  # fmt: skip

        by_siren = {o.siren: o for o in Organisation.objects.exclude(siren="")}
        by_pic = {o.pic: o for o in Organisation.objects.exclude(pic="")}
        by_rnsr = {o.rnsr: o for o in Organisation.objects.exclude(rnsr="")}
        by_ror = {o.ror: o for o in Organisation.objects.exclude(ror="")}
        by_name = {
            (o.name, o.postcode): o for o in Organisation.objects.filter(siren="", pic="", rnsr="", ror="")
        }
        org_fields = ["name", "acronym", "category", "siren", "siret", "pic", "rnsr", "ror", "vat", "street",
                      "postcode", "commune", "country", "website", "departement_id"]  # fmt: skip
        org_rows, existing_orgs = [], {}
        for v in t["organisations"]:
            values = {f: v.get(f) or "" for f in org_fields if f != "departement_id"}
            values["departement_id"] = departements.get(v.get("departement"))
            found = None
            for key, index in (("siren", by_siren), ("pic", by_pic), ("rnsr", by_rnsr), ("ror", by_ror)):
                if v.get(key):
                    found = index.get(v[key])
                    break
            else:  # no identifier at all: the same name at the same postcode is the same organisation
                found = by_name.get((v["name"], v.get("postcode") or ""))
            if found is not None:
                existing_orgs[v["id"]] = found
            org_rows.append((v["id"], values))
        organisations = self._upsert("organisations", Organisation, org_rows, existing_orgs, org_fields)

        cluster_fields = ["programme_id", "name", "acronym", "category", "status", "city", "departement_id",
                          "labelled_on", "website"]  # fmt: skip
        clusters = self._upsert(
            "clusters", Cluster,
            [(v["slug"], {"slug": v["slug"], "programme_id": programmes[v["programme"]], "name": v["name"],
                          "acronym": v["acronym"] or "", "category": v["category"], "status": v["status"],
                          "city": v["city"] or "", "departement_id": departements.get(v.get("departement")),
                          "labelled_on": v["labelled_on"], "website": v["website"] or ""}) for v in t["clusters"]],
            Cluster.objects.in_bulk(field_name="slug"), cluster_fields,
        )  # fmt: skip

        memberships = Membership.objects.in_bulk()
        existing_m = {(m.cluster_id, m.organisation_id, m.start): m for m in memberships.values()}
        self._upsert(
            "memberships", Membership,
            [((clusters[v["cluster"]], organisations[v["organisation"]], v["start"]),
              {"cluster_id": clusters[v["cluster"]], "organisation_id": organisations[v["organisation"]],
               "kind": v["kind"], "start": v["start"], "end": v["end"]}) for v in t["memberships"]],
            existing_m, ["kind", "end"],
        )  # fmt: skip

        call_fields = ["programme_id", "title_fr", "title_en", "kind", "status", "opens_at", "labelling_deadline",
                       "submission_deadline"]  # fmt: skip
        calls = self._upsert(
            "calls", Call,
            [(v["reference"], {"reference": v["reference"], "programme_id": programmes[v["programme"]],
                               **{f: v[f] for f in call_fields[1:]}}) for v in t["calls"]],
            Call.objects.in_bulk(field_name="reference"), call_fields,
        )  # fmt: skip

        call_programmes = dict(Call.objects.values_list("pk", "programme_id"))
        existing_p = {}
        for p in Project.objects.all():
            key = (p.source, p.external_id) if p.external_id else (p.source, p.call_id, p.acronym, p.title)
            existing_p[key] = p
        project_fields = ["status", "acronym", "title", "start_date", "duration_months", "lead_cluster_id",
                          "total_cost", "external_funding", "call_id"]  # fmt: skip
        project_rows, package_keys = [], {}
        for v in t["projects"]:
            call_id = calls.get(v["call"]) if v.get("call") else None
            key = (
                (v["source"], v["external_id"])
                if v.get("external_id")
                else (v["source"], call_id, v["acronym"], v["title"])
            )
            package_keys[v["id"]] = key
            project_rows.append((key, {
                "source": v["source"], "external_id": v["external_id"] or "", "call_id": call_id,
                "programme_id": call_programmes.get(call_id),
                "status": v["status"], "acronym": v["acronym"] or "", "title": v["title"],
                "title_key": v["title"].casefold()[:300], "start_date": v["start_date"],
                "duration_months": v["duration_months"], "lead_cluster_id": clusters.get(v["lead_cluster"]) if v.get("lead_cluster") else None,
                "total_cost": v["total_cost"] if v["total_cost"] is not None else Decimal(0),
                "external_funding": v["external_funding"],
            }))  # fmt: skip
        for _key, values in project_rows:
            if values["source"] == Project.Source.PROGRAMME:
                # A programme project's cost is confidential and not in the package: keep what is here.
                del values["total_cost"], values["external_funding"]
        by_key = self._upsert("projects", Project, project_rows, existing_p, project_fields)
        sources = {v["id"]: v["source"] for v in t["projects"]}
        projects = {pid: by_key[key] for pid, key in package_keys.items()}

        existing_part = {
            (p.project_id, p.organisation_id): p
            for p in Participation.objects.filter(project_id__in=set(projects.values()))
        }
        participations = self._upsert(
            "participations", Participation,
            [((projects[v["project"]], organisations[v["organisation"]]),
              {"project_id": projects[v["project"]], "organisation_id": organisations[v["organisation"]],
               "role": v["role"], "category": v["category"],
               # A programme partner's funding is confidential and not in the package.
               **({} if sources[v["project"]] == Project.Source.PROGRAMME
                  else {"external_funding": v["external_funding"]})})
             for v in t["participations"]],
            existing_part, ["role", "category", "external_funding"],
        )  # fmt: skip

        existing_d = {
            (d.participation_id, d.funder_id): d
            for d in Decision.objects.filter(project_id__in=set(projects.values()))
        }
        rows = []
        for v in t["decisions"]:
            part = participations[(projects[v["project"]], organisations[v["organisation"]])]
            decided = (
                dt.datetime.combine(v["decided_on"], dt.time(12), tzinfo=dt.UTC)
                if v.get("decided_on")
                else None
            )
            rows.append(((part, funders[v["funder"]]), {
                "project_id": projects[v["project"]], "participation_id": part, "funder_id": funders[v["funder"]],
                "amount": v["amount"], "eligible_cost": v["amount"], "rate": Decimal(1), "form": v["form"],
                "status": v["status"], "decided_at": decided,
            }))  # fmt: skip
        self._upsert("decisions", Decision, rows, existing_d, ["amount", "form", "status"])

        existing_o = {
            (o.participation_id, o.kind, o.achieved_on, o.title): o
            for o in Output.objects.filter(project_id__in=set(projects.values()))
        }
        rows = []
        for v in t["outputs"]:
            part = participations[(projects[v["project"]], organisations[v["organisation"]])]
            rows.append(((part, v["kind"], v["achieved_on"], v["title"]), {
                "project_id": projects[v["project"]], "participation_id": part, "kind": v["kind"],
                "achieved_on": v["achieved_on"], "title": v["title"], "doi": v["doi"] or "",
                "patent_number": v["patent_number"] or "", "quantity": v["quantity"],
                "status": Output.Status.VALIDATED, "evidence_note": str(_("Published open data")),
            }))  # fmt: skip
        self._upsert("outputs", Output, rows, existing_o, ["doi", "patent_number", "quantity"])
