"""Snapshots of a proposal at each submission, and the readable difference between two of them.

A snapshot keeps what the applicant declared (texts, consortium, budgets, aid asked, clusters
asked, attachments) with names rather than ids, so a difference reads "Budget of Lab X — staff:
120000 → 150000" even years later, after an organisation was renamed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from poles.calls.textdiff import DiffLine, diff

from .models import Project, ProjectRevision


def snapshot(project: Project) -> dict[str, Any]:
    """The applicant's declarations, JSON-able."""
    participations = project.participations.select_related("organisation").prefetch_related(
        "budget_lines", "aid_requests__funder"
    )
    return {
        "acronym": project.acronym,
        "title": project.title,
        "summary": project.summary,
        "keywords": list(project.keywords or []),
        "lead_cluster": project.lead_cluster.name if project.lead_cluster_id else "",
        "start_date": project.start_date.isoformat() if project.start_date else "",
        "duration_months": project.duration_months,
        "clusters_asked": sorted(project.label_requests.values_list("cluster__name", flat=True)),
        "consortium": [
            {
                "organisation": p.organisation.name,
                "organisation_id": p.organisation_id,
                "role": p.role,
                "category": p.category,
                "size_class": p.size_class,
                "territory_share": str(p.territory_share),
                "lead_cluster_share": str(p.lead_cluster_share),
                "cost_basis": p.cost_basis,
                "budget": {line.cost_type: str(line.amount) for line in p.budget_lines.all()},
                "aid": {request.funder.slug: str(request.amount) for request in p.aid_requests.all()},
            }
            for p in sorted(participations, key=lambda p: (p.role != "lead", p.organisation.name))
        ],
        "attachments": [
            {"name": name, "kind": kind, "sha256": sha}
            for name, kind, sha in project.attachments.order_by("kind", "name").values_list(
                "name", "kind", "sha256"
            )
        ],
    }


def lines(data: dict[str, Any]) -> list[str]:
    """A snapshot as labelled lines, in the reader's language, one fact per line."""
    out = [
        f"{_('Acronym')}: {data.get('acronym', '')}",
        f"{_('Title')}: {data.get('title', '')}",
    ]
    out += [f"{_('Summary')}: {line}" for line in (data.get("summary") or "").splitlines() or [""]]
    out += [
        f"{_('Keywords')}: {', '.join(data.get('keywords') or [])}",
        f"{_('Lead cluster')}: {data.get('lead_cluster', '')}",
        f"{_('Clusters asked to label')}: {', '.join(data.get('clusters_asked') or [])}",
        f"{_('Start date')}: {data.get('start_date', '')}",
        f"{_('Duration (months)')}: {data.get('duration_months') or ''}",
    ]
    for partner in data.get("consortium") or []:
        name = partner.get("organisation", "")
        out.append(
            f"{_('Partner')}: {name} ({partner.get('role')}, {partner.get('category')}, {partner.get('size_class') or '-'})"
        )
        out.append(
            f"{name} — {_('share of work in the cluster territories')}: {partner.get('territory_share')}"
        )
        out.append(
            f"{name} — {_('share of work in the lead cluster territory')}: {partner.get('lead_cluster_share')}"
        )
        out.append(f"{name} — {_('cost basis')}: {partner.get('cost_basis')}")
        for cost_type, amount in sorted((partner.get("budget") or {}).items()):
            out.append(f"{name} — {_('budget')} {cost_type}: {amount}")
        for funder, amount in sorted((partner.get("aid") or {}).items()):
            out.append(f"{name} — {_('aid requested from')} {funder}: {amount}")
    for attachment in data.get("attachments") or []:
        out.append(
            f"{_('Attachment')}: {attachment.get('name')} ({attachment.get('kind')}, {attachment.get('sha256', '')[:12]})"
        )
    return out


def record(project: Project, author) -> ProjectRevision:
    """Store the proposal as submitted now, as the next revision."""
    last = project.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return ProjectRevision.objects.create(
        project=project, number=last + 1, snapshot=snapshot(project),
        author=author if getattr(author, "is_authenticated", False) else None,
    )  # fmt: skip


def compare(old: dict[str, Any] | None, new: dict[str, Any]) -> list[DiffLine]:
    """What changed from one snapshot to the next (everything is new when there is no older one)."""
    return diff(lines(old) if old else [], lines(new))
