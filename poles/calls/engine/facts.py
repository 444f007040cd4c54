"""The facts about one proposal that the calls engines reason on, as plain data.

The Django layer builds a `ProposalFacts` from a project, its participations, its cluster labels
and the other live submissions; eligibility, aid decisions and conflict checks then read only
this object. Keeping the facts frozen and free of the ORM lets the CLI, the pages, the API and
the tests feed the same engines.

Units: money is `Decimal` euros (cents allowed) on the way in; shares are `Decimal` fractions in
0..1; aid decided by `rates.decide` is whole euros (`int`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

# Category codes of an organisation at submission time.
CATEGORIES: tuple[str, ...] = (
    "company",
    "ntbf",  # new technology-based firm / knowledge-intensive service firm
    "business_org",
    "consultancy",
    "hei",  # higher-education institution
    "hei_research",  # research unit of a higher-education institution
    "nonprofit_research",
    "public_research",
    "training",
    "local_authority",
)
CATEGORY_LABELS = {
    "company": _("company"),
    "ntbf": _("new technology-based or knowledge-intensive firm"),
    "business_org": _("business organisation"),
    "consultancy": _("consultancy"),
    "hei": _("higher-education institution"),
    "hei_research": _("higher-education research unit"),
    "nonprofit_research": _("non-profit research organisation"),
    "public_research": _("public research organisation"),
    "training": _("training body"),
    "local_authority": _("local authority"),
}
# Defaults for "which categories count as ..."; every rule and rate lookup takes its own list.
DEFAULT_COMPANY_CATEGORIES: tuple[str, ...] = ("company", "ntbf")
DEFAULT_RESEARCH_CATEGORIES: tuple[str, ...] = (
    "hei",
    "hei_research",
    "nonprofit_research",
    "public_research",
    "training",
)
SIZE_CLASSES: tuple[str, ...] = ("micro", "small", "medium", "mid", "large")
SME_SIZE_CLASSES: frozenset[str] = frozenset({"micro", "small", "medium"})
COST_TYPES: tuple[str, ...] = ("staff", "overheads", "equipment", "subcontracting", "other")
ROLES: tuple[str, ...] = ("lead", "partner")
COST_BASES: tuple[str, ...] = ("full", "additional")
LABEL_STATUSES: tuple[str, ...] = ("labelled", "declined", "pending")


def to_decimal(value: object, what: str) -> Decimal:
    """A Decimal from an int, str or Decimal; floats go through str so 0.45 stays 0.45."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected a number, got {value!r}")
    try:
        result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"{what}: expected a number, got {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"{what}: expected a finite number, got {value!r}")
    return result


def _share(value: object, what: str) -> Decimal:
    share = to_decimal(value, what)
    if not Decimal(0) <= share <= Decimal(1):
        raise ValueError(f"{what}: a share must lie in 0..1, got {share}")
    return share


@dataclass(frozen=True)
class Participation:
    """One organisation's part in a proposal, as declared at submission.

    `territory_share` is the share of this partner's work done in the labelling clusters'
    territories and `lead_cluster_share` the share in the lead cluster's territory (both 0..1,
    weighted by budget in the eligibility rules). `in_territory` says whether the partner itself
    is established in a labelling cluster's territory: it picks the "inside"/"outside" rate.
    `cost_basis` (full or additional cost) matters for research bodies only.
    `public_controlled` marks a firm 25 % or more controlled by public bodies: never an SME.
    """

    org_id: str
    category: str
    role: str = "partner"
    size_class: str | None = None
    budget: Mapping[str, Decimal] = field(default_factory=dict)
    territory_share: Decimal = Decimal(0)
    lead_cluster_share: Decimal = Decimal(0)
    in_territory: bool = True
    cost_basis: str = "full"
    aid_requested: Mapping[str, Decimal] = field(default_factory=dict)
    public_controlled: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "org_id", str(self.org_id))
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}; expected one of {CATEGORIES}")
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {ROLES}")
        if self.size_class is not None and self.size_class not in SIZE_CLASSES:
            raise ValueError(f"unknown size class {self.size_class!r}; expected one of {SIZE_CLASSES}")
        if self.cost_basis not in COST_BASES:
            raise ValueError(f"unknown cost basis {self.cost_basis!r}; expected one of {COST_BASES}")
        budget = {}
        for cost_type, amount in self.budget.items():
            if cost_type not in COST_TYPES:
                raise ValueError(f"unknown cost type {cost_type!r}; expected one of {COST_TYPES}")
            budget[cost_type] = to_decimal(amount, f"budget[{cost_type}]")
            if budget[cost_type] < 0:
                raise ValueError(f"budget[{cost_type}] is negative")
        object.__setattr__(self, "budget", budget)
        requested = {}
        for funder, amount in self.aid_requested.items():
            requested[str(funder)] = to_decimal(amount, f"aid_requested[{funder}]")
            if requested[str(funder)] < 0:
                raise ValueError(f"aid_requested[{funder}] is negative")
        object.__setattr__(self, "aid_requested", requested)
        object.__setattr__(self, "territory_share", _share(self.territory_share, "territory_share"))
        object.__setattr__(self, "lead_cluster_share", _share(self.lead_cluster_share, "lead_cluster_share"))

    @property
    def total_budget(self) -> Decimal:
        """All cost types together: the partner's R&D budget."""
        return sum(self.budget.values(), Decimal(0))

    @property
    def is_sme(self) -> bool:
        """SME in the EU sense: micro, small or medium size class and not publicly controlled."""
        return self.size_class in SME_SIZE_CLASSES and not self.public_controlled

    @property
    def label(self) -> str:
        """The name to show in messages, falling back on the organisation id."""
        return self.name or self.org_id


@dataclass(frozen=True)
class ClusterLabel:
    """A cluster asked to label the proposal, with its answer and when it was given."""

    cluster_id: str
    status: str = "labelled"
    decided_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "cluster_id", str(self.cluster_id))
        if self.status not in LABEL_STATUSES:
            raise ValueError(f"unknown label status {self.status!r}; expected one of {LABEL_STATUSES}")


@dataclass(frozen=True)
class SubmissionFingerprint:
    """What is kept of another live submission to detect duplicates without reading it.

    A duplicate is another submission (a different id) that either
    - is in the same call, has the same lead organisation and the same normalised title, or
    - has exactly the same consortium (set of organisations) and the same normalised title,
      in any call (the same project sent to two calls at once, or twice to one call).
    The Django layer passes only live submissions (not withdrawn, not finally rejected), so a
    rejected project may be resubmitted to a later call.
    """

    submission_id: str
    call_id: str
    lead_org_id: str | None
    title_key: str
    consortium: frozenset[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "submission_id", str(self.submission_id))
        object.__setattr__(self, "call_id", str(self.call_id))
        if self.lead_org_id is not None:
            object.__setattr__(self, "lead_org_id", str(self.lead_org_id))
        object.__setattr__(self, "consortium", frozenset(str(org) for org in self.consortium))


def normalise_title(title: str) -> str:
    """A title key that ignores case, accents, punctuation and spacing.

    "Capteurs  éco-conçus !" and "capteurs eco concus" give the same key: applicants resubmitting
    the same project rarely retype the title identically.
    """
    decomposed = unicodedata.normalize("NFKD", title)
    no_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", no_accents.casefold()).strip()


@dataclass(frozen=True)
class ProposalFacts:
    """Everything the eligibility, aid and conflict engines need to know about one proposal.

    `deadline` is the call's submission deadline: labels given after it do not count.
    `other_submissions` are fingerprints of the other live submissions (see
    `SubmissionFingerprint` for what counts as a duplicate).
    """

    proposal_id: str
    call_id: str
    title: str
    participations: tuple[Participation, ...]
    labels: tuple[ClusterLabel, ...] = ()
    lead_cluster_id: str | None = None
    submitted_at: datetime | None = None
    deadline: datetime | None = None
    keywords: tuple[str, ...] = ()
    other_submissions: tuple[SubmissionFingerprint, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "proposal_id", str(self.proposal_id))
        object.__setattr__(self, "call_id", str(self.call_id))
        object.__setattr__(self, "participations", tuple(self.participations))
        object.__setattr__(self, "labels", tuple(self.labels))
        object.__setattr__(self, "keywords", tuple(self.keywords))
        object.__setattr__(self, "other_submissions", tuple(self.other_submissions))
        if self.lead_cluster_id is not None:
            object.__setattr__(self, "lead_cluster_id", str(self.lead_cluster_id))
        seen: set[str] = set()
        for participation in self.participations:
            if participation.org_id in seen:
                raise ValueError(f"organisation {participation.org_id!r} participates twice")
            seen.add(participation.org_id)

    @property
    def leads(self) -> tuple[Participation, ...]:
        """Participations with the lead role (exactly one in a well-formed proposal)."""
        return tuple(p for p in self.participations if p.role == "lead")

    @property
    def org_ids(self) -> frozenset[str]:
        """The consortium as a set of organisation ids."""
        return frozenset(p.org_id for p in self.participations)

    @property
    def total_budget(self) -> Decimal:
        """The proposal's total R&D budget, all partners and cost types."""
        return sum((p.total_budget for p in self.participations), Decimal(0))

    def fingerprint(self) -> SubmissionFingerprint:
        """This proposal as others will see it when they look for duplicates."""
        leads = self.leads
        return SubmissionFingerprint(
            submission_id=self.proposal_id,
            call_id=self.call_id,
            lead_org_id=leads[0].org_id if len(leads) == 1 else None,
            title_key=normalise_title(self.title),
            consortium=self.org_ids,
        )


def duplicate_reason(facts: ProposalFacts, other: SubmissionFingerprint) -> str | None:
    """Why `other` duplicates `facts` ("same_lead_title" or "same_consortium_title"), or None."""
    mine = facts.fingerprint()
    if other.submission_id == mine.submission_id or other.title_key != mine.title_key or not mine.title_key:
        return None
    if (
        other.call_id == mine.call_id
        and mine.lead_org_id is not None
        and other.lead_org_id == mine.lead_org_id
    ):
        return "same_lead_title"
    if mine.consortium and other.consortium == mine.consortium:
        return "same_consortium_title"
    return None
