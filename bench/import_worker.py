"""One timed run for bench_import (in its own process, against DATABASE_URL): `import` runs
`poles.opendata.importers.run_import("h2020", …)`; `raw` writes the same rows with no checks
(csv module, then executemany on SQLite or COPY on PostgreSQL) — the baseline."""

from __future__ import annotations

import csv
import gzip
import json
import sys
import time
from pathlib import Path


def _raw(path: Path) -> int:
    """The least a bulk load can do: read, de-duplicate keys, insert, map ids, insert."""
    from django.db import connection, transaction
    from django.utils import timezone

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # The driver gets what Django would give it: a timestamp already adapted for the backend.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    projects, organisations = {}, {}
    for r in rows:
        projects.setdefault(r["rcn"], r)
        organisations.setdefault(r["pic"], r)

    def na(value):
        return None if value in ("", "NA") else value

    with transaction.atomic(), connection.cursor() as cursor:
        pg = connection.vendor == "postgresql"

        def insert(table, columns, values):
            names = ", ".join(columns)
            if pg:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
                    for row in values:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # noqa: S608

        insert(
            "projects_project",
            ["source", "external_id", "status", "acronym", "title", "keywords", "title_key", "start_date",
             "duration_months", "total_cost", "external_funding", "summary", "version", "created_at", "updated_at"],
            [("cordis", k, "external", k, f"EU project {k}", "[]", f"eu project {k}", na(r["start_date"]),
              na(r["duration"]), na(r["total_cost"]) or 0, na(r["max_contribution"]), "", 1, now, now)
             for k, r in projects.items()],
        )  # fmt: skip
        insert(
            "organisations_organisation",
            ["name", "acronym", "category", "siren", "siret", "rnsr", "ror", "vat", "pic", "street", "postcode",
             "commune", "country", "website", "description", "competences_text", "public_control", "findable",
             "size_class", "version", "created_at", "updated_at"],
            [(f"Organisation PIC {p}", "", r["type"], "", "", "", "", "", p, "", "", "", r["country"], "", "", "",
              0, False, "", 1, now, now) for p, r in organisations.items()],
        )  # fmt: skip
        cursor.execute("SELECT external_id, id FROM projects_project WHERE source = 'cordis'")
        project_ids = dict(cursor.fetchall())
        cursor.execute("SELECT pic, id FROM organisations_organisation WHERE pic <> ''")
        org_ids = dict(cursor.fetchall())
        insert(
            "projects_participation",
            ["project_id", "organisation_id", "role", "category", "size_class", "public_controlled",
             "territory_share", "lead_cluster_share", "in_territory", "cost_basis", "total_cost", "external_funding"],
            [(project_ids[r["rcn"]], org_ids[r["pic"]], "lead" if r["role"] == "coordinator" else "partner",
              r["type"], "", False, 0, 0, False, "full", 0, na(r["contribution"])) for r in rows],
        )  # fmt: skip
    return len(rows)


def main() -> None:
    import django

    django.setup()
    mode, path = sys.argv[1], Path(sys.argv[2])
    started = time.perf_counter()
    if mode == "raw":
        out = {"rows": _raw(path)}
        seconds = time.perf_counter() - started
    else:
        from poles.opendata.importers import run_import

        result = run_import("h2020", {"file": path})
        seconds = time.perf_counter() - started
        if result.errors:
            raise SystemExit(json.dumps(result.as_dict()["errors"][:5]))
        summary = result.as_dict()
        with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="utf-8") as handle:
            rows = sum(1 for _line in handle) - 1
        out = {"rows": rows, "created": summary["created"], "updated": summary["updated"]}
    out["seconds"] = round(seconds, 3)
    out["rows_per_s"] = out["rows"] / seconds
    print(json.dumps(out))


if __name__ == "__main__":
    main()
