"""Reading partner search: ranked partners with their reasons, partner pages, calls, contact requests.

Every read goes through the per-process index (`indexing.partner_data`), which holds findable
organisations only, or through the permission layer (`restrict`) for rows read from the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from poles.calls.models import Call
from poles.core.permissions import VIEW, restrict
from poles.core.roles import roles_of
from poles.organisations.models import Category, Organisation, SizeClass
from poles.projects.models import Project
from poles.projects.rules import PUBLIC

from . import reasons as wording
from .engine import SearchFilters, Suggestion, search
from .indexing import PartnerCard, PartnerData, partner_data
from .models import ContactRequest, PartnerProfile

MAX_RESULTS = 50


@dataclass(frozen=True)
class PartnerResult:
    """One suggested partner: its card, score, component scores and reasons in the active language."""

    card: PartnerCard
    score: float
    components: dict[str, float]
    reasons: tuple[str, ...]
    raw_reasons: tuple[dict[str, Any], ...]

    @property
    def score_percent(self) -> int:
        return round(100 * self.score)

    @property
    def category_label(self) -> str:
        return str(Category(self.card.category).label) if self.card.category in Category.values else ""

    @property
    def size_label(self) -> str:
        return str(SizeClass(self.card.size_class).label) if self.card.size_class in SizeClass.values else ""


@dataclass(frozen=True)
class SearchOutcome:
    """The results, how many organisations were searched, and consortium members left out."""

    results: tuple[PartnerResult, ...]
    indexed: int
    ignored_members: tuple[str, ...] = ()


def category_labels() -> dict[str, str]:
    """Category codes to their labels in the active language, for the reasons' wording."""
    return {value: str(label) for value, label in Category.choices}


def explain(
    data: PartnerData, raw: Iterable[dict[str, Any]], labels: dict[str, str] | None = None
) -> tuple[str, ...]:
    """Reasons as sentences in the active language, naming organisations and clusters.

    The names are taken from the index, which holds findable organisations only: a reason can
    never name an organisation that did not opt in.
    """
    labels = labels if labels is not None else category_labels()
    return tuple(wording.explain(r, names=data.names, category_labels=labels) for r in raw)


def mentioned(suggestion: Suggestion) -> set[int]:
    """Every organisation a suggestion shows or names (itself, consortium members, intermediaries)."""
    ids = {int(suggestion.org_id)}
    for reason in suggestion.reasons:
        ids.update(int(org) for org in [reason.get("org"), *reason.get("via", ())] if org is not None)
    return ids


def still_findable(ids: Iterable[int]) -> set[int]:
    """The organisations among `ids` that are findable now, in the database (not in the index)."""
    ids = set(ids)
    if not ids:
        return set()
    return set(Organisation.objects.filter(pk__in=ids, findable=True).values_list("pk", flat=True))


def verified(suggestions: Sequence[Suggestion], allowed: set[int] = frozenset()) -> list[Suggestion]:
    """Suggestions without any organisation that opted out since the index was built.

    A suggestion for such an organisation is dropped; a reason naming one is dropped. `allowed`
    are organisations that may be named anyway (the user's own).
    """
    findable = still_findable(set().union(*(mentioned(s) for s in suggestions))) | set(allowed)
    kept = []
    for suggestion in suggestions:
        if int(suggestion.org_id) not in findable:
            continue
        reasons = tuple(
            r for r in suggestion.reasons
            if all(int(org) in findable for org in [r.get("org"), *r.get("via", ())] if org is not None)
        )  # fmt: skip
        kept.append(Suggestion(suggestion.org_id, suggestion.score, suggestion.components, reasons))
    return kept


def to_result(
    data: PartnerData, suggestion: Suggestion, labels: dict[str, str] | None = None
) -> PartnerResult:
    """A PartnerResult for one engine suggestion."""
    return PartnerResult(
        card=data.cards[suggestion.org_id],
        score=suggestion.score,
        components=suggestion.components,
        reasons=explain(data, suggestion.reasons, labels),
        raw_reasons=suggestion.reasons,
    )


def _set_or_none(values: Iterable[str] | None) -> frozenset[str] | None:
    values = [v for v in (values or ()) if v]
    return frozenset(values) if values else None


def search_partners(
    user,
    *,
    need: str = "",
    categories: Sequence[str] | None = None,
    sizes: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    clusters: Sequence[str] | None = None,
    consortium: Sequence[int | str] = (),
    k: int = 20,
) -> SearchOutcome:
    """The best partners for a need, with filters and the consortium so far, each with reasons.

    The user's own organisations are never suggested to them; consortium members that are not
    findable are ignored (their history is not indexed) and reported in `ignored_members`.
    """
    data = partner_data()
    anchors = [str(o) for o in consortium]
    filters = SearchFilters(
        categories=_set_or_none(categories),
        sizes=_set_or_none(sizes),
        regions=_set_or_none(regions),
        clusters=_set_or_none(clusters),
    )
    own = roles_of(user).member_of
    suggestions = search(
        data.index,
        need,
        filters,
        consortium_so_far=anchors,
        exclude=[str(o) for o in own],
        k=max(1, min(k, MAX_RESULTS)),
    )
    labels = category_labels()
    return SearchOutcome(
        results=tuple(to_result(data, s, labels) for s in verified(suggestions, allowed=set(own))),
        indexed=len(data.index),
        ignored_members=tuple(a for a in anchors if a not in data.cards),
    )


def findable_organisation(org_id) -> Organisation:
    """A findable organisation, or 404 — the same answer whether it is absent or did not opt in."""
    try:
        return Organisation.objects.select_related("departement__region").get(pk=org_id, findable=True)
    except (Organisation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def partner_page(user, org_id) -> dict[str, Any]:
    """What a partner's page shows: the organisation, its profile, clusters and public projects.

    Members see their own organisation's page even before opting in (a preview); everybody else
    gets 404 for an organisation that is not findable.
    """
    own = str(org_id).isdigit() and int(org_id) in roles_of(user).member_of
    if own:
        organisation = Organisation.objects.select_related("departement__region").get(pk=org_id)
    else:
        organisation = findable_organisation(org_id)
    profile = restrict(PartnerProfile.objects.filter(organisation=organisation), user, VIEW).first()
    today = timezone.localdate()
    memberships = (
        organisation.memberships.filter(start__lte=today)
        .exclude(end__lt=today)
        .select_related("cluster")
        .order_by("cluster__name")
    )
    projects = Project.objects.none()
    if profile is None or profile.show_platform_projects:
        projects = (
            Project.objects.filter(PUBLIC, participations__organisation=organisation)
            .distinct()
            .order_by("-start_date", "-id")[:20]
        )
    return {
        "organisation": organisation,
        "profile": profile,
        "memberships": memberships,
        "projects": projects,
        "competences": organisation.competences.all(),
    }


def open_calls() -> QuerySet[Call]:
    """Calls open to submissions now. Open calls are public; once the calls app declares its
    scopes, read them through `restrict(Call.objects..., user, VIEW)` instead."""
    now = timezone.now()
    return Call.objects.filter(
        status=Call.Status.OPEN, opens_at__lte=now, submission_deadline__gt=now
    ).select_related("programme")


def lead_organisations(user) -> QuerySet[Organisation]:
    """Organisations the user may build a consortium for: those they act for as a member."""
    return Organisation.objects.filter(pk__in=roles_of(user).member_of).order_by("name")


def contact_requests_for(user) -> QuerySet[ContactRequest]:
    """Requests the user sent or their organisations received (nobody else's)."""
    return restrict(ContactRequest.objects.all(), user, VIEW).select_related(
        "recipient", "sender", "sender_organisation"
    )
