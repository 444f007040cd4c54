"""Programme indicators computed from plain tables: the engine behind every dashboard.

What an authority must show (DESIGN.md §1, "the policy is evaluated"): where the aid went (by funder,
year, partner category and territory), how much of it reached SMEs, how many funded projects associate
public research with SMEs and large groups, how much private money each public euro brought along
(leverage), how selective the calls were, and what came out per million euros of aid.

Plain pandas over plain frames, no Django import: the dashboard pages, their CSV downloads, the
benchmarks and the tests all call these functions; `poles.analytics.selectors` builds the frames from
the database. Every figure is computed from the rows given — there is no typed-in number — and a figure
that cannot be computed (no aid, no proposals, no outputs) is `None`, never a misleading zero.

Frames (column names are the contract with the selectors):

- `projects`: project_id, year, call_id, submitted (bool), selected (bool), funded (bool);
- `participations`: participation_id, project_id, organisation_id, kind (see `PARTNER_KINDS`),
  is_company (bool), total_cost, region, departement;
- `decisions`: participation_id, project_id, funder_id, amount (aid decided, EUR);
- `outputs` (optional): project_id, kind, quantity (FTE for jobs, EUR for private funding, else empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SME, MID, LARGE, COMPANY, RESEARCH, OTHER = "sme", "mid", "large", "company", "research", "other"
PARTNER_KINDS = (SME, MID, LARGE, COMPANY, RESEARCH, OTHER)
SME_SIZES = frozenset({"micro", "small", "medium"})

PROJECT_COLUMNS = ["project_id", "year", "call_id", "submitted", "selected", "funded"]
PARTICIPATION_COLUMNS = [
    "participation_id", "project_id", "organisation_id", "kind", "is_company", "total_cost", "region",
    "departement",
]  # fmt: skip
DECISION_COLUMNS = ["participation_id", "project_id", "funder_id", "amount"]
OUTPUT_COLUMNS = ["project_id", "kind", "quantity"]
# Output kinds measured by a quantity (jobs in FTE, money in euros) rather than by a count.
QUANTITY_OUTPUTS = frozenset({"jobs", "private_funding"})


def partner_kind(
    category: str, size_class: str, public_controlled: bool, *, companies, research
) -> str:  # fmt: skip
    """The dashboard category of a partner, from its category and size class at submission.

    SMEs are the EU's micro, small and medium enterprises not 25 % or more held by public bodies
    (POLICY.md); `mid` is the French ETI, `large` the large groups; a company whose size is unknown, or
    SME-sized but publicly controlled, stays `company` rather than being guessed. Research covers public and non-profit research bodies and
    higher-education institutions, the "public research" of the policy's triple helix.
    """
    if category in companies:
        if size_class in SME_SIZES:
            return COMPANY if public_controlled else SME
        if size_class == "mid":
            return MID
        if size_class == "large":
            return LARGE
        return COMPANY
    if category in research:
        return RESEARCH
    return OTHER


@dataclass
class DashboardData:
    """The rows one dashboard aggregates, already restricted to what its reader may see."""

    projects: pd.DataFrame
    participations: pd.DataFrame
    decisions: pd.DataFrame
    outputs: pd.DataFrame | None = None
    private_raised: float | None = None  # SME fund-raising linked to these projects, when recorded
    # The proposals selection rates are computed on, when they differ from `projects` (a funder's calls).
    proposals: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def submissions(self) -> pd.DataFrame:
        """The proposals of the selection rates."""
        return self.projects if self.proposals is None else self.proposals

    @classmethod
    def empty(cls) -> DashboardData:
        """No rows at all (a programme before its first call)."""
        return cls(
            pd.DataFrame(columns=PROJECT_COLUMNS),
            pd.DataFrame(columns=PARTICIPATION_COLUMNS),
            pd.DataFrame(columns=DECISION_COLUMNS),
        )

    def funded_ids(self) -> np.ndarray:
        """Ids of the funded projects."""
        p = self.projects
        return p.loc[p["funded"].astype(bool), "project_id"].to_numpy()


def aid_rows(data: DashboardData) -> pd.DataFrame:
    """One row per decision on a funded project, with its partner's kind and place and its project's year."""
    funded = data.funded_ids()
    decisions = data.decisions[data.decisions["project_id"].isin(funded)]
    parts = data.participations[["participation_id", "kind", "is_company", "region", "departement"]]
    projects = data.projects[["project_id", "year", "call_id"]]
    rows = decisions.merge(parts, on="participation_id", how="left").merge(
        projects, on="project_id", how="left"
    )
    rows["amount"] = rows["amount"].astype(float)
    return rows


def aid_by(rows: pd.DataFrame, key: str) -> pd.Series:
    """Total aid by `key` (funder_id, year, kind, region, departement, call_id), largest first for labels,
    in order for years."""
    if rows.empty:
        return pd.Series(dtype=float)
    totals = rows.groupby(key, dropna=True)["amount"].sum()
    return totals.sort_index() if key == "year" else totals.sort_values(ascending=False)


def aid_by_year_and_kind(rows: pd.DataFrame) -> pd.DataFrame:
    """A year × partner-kind table of aid (missing cells are 0), years ascending, kinds in PARTNER_KINDS order."""
    if rows.empty:
        return pd.DataFrame(columns=list(PARTNER_KINDS))
    table = rows.groupby(["year", "kind"])["amount"].sum().unstack("kind", fill_value=0.0)
    return table.reindex(columns=[k for k in PARTNER_KINDS if k in table.columns]).sort_index()


def sme_share(rows: pd.DataFrame) -> float | None:
    """Share of the aid that went to SMEs (None without aid)."""
    total = float(rows["amount"].sum()) if not rows.empty else 0.0
    if total <= 0:
        return None
    return float(rows.loc[rows["kind"] == SME, "amount"].sum()) / total


@dataclass(frozen=True)
class ConsortiumMix:
    """How many funded projects associate public research, SMEs and large groups (the triple helix)."""

    projects: int
    research_sme_large: int
    research_sme: int

    @property
    def triple_share(self) -> float | None:
        """Share of funded projects with at least one research body, one SME and one large group."""
        return self.research_sme_large / self.projects if self.projects else None

    @property
    def research_sme_share(self) -> float | None:
        """Share of funded projects with at least one research body and one SME."""
        return self.research_sme / self.projects if self.projects else None


def consortium_mix(data: DashboardData) -> ConsortiumMix:
    """Count funded projects by the kinds of partners they associate."""
    funded = data.funded_ids()
    parts = data.participations[data.participations["project_id"].isin(funded)]
    if parts.empty:
        return ConsortiumMix(len(funded), 0, 0)
    flags = pd.DataFrame({kind: (parts["kind"] == kind).to_numpy() for kind in (RESEARCH, SME, LARGE)})
    has = flags.groupby(parts["project_id"].to_numpy()).any()
    research_sme = has[RESEARCH] & has[SME]
    return ConsortiumMix(
        projects=len(funded),
        research_sme_large=int((research_sme & has[LARGE]).sum()),
        research_sme=int(research_sme.sum()),
    )


@dataclass(frozen=True)
class Leverage:
    """Private money per euro of public aid on funded projects.

    `private_own` is the companies' own share of their budgets (their costs minus the aid they receive,
    never below zero): money they spend from their own pockets because of the project. Research bodies'
    own shares are public money and are not counted as private. `private_raised` adds SME fund-raising
    linked to the projects when the platform records it (None when it does not).
    """

    public: float
    private_own: float
    private_raised: float | None

    @property
    def private(self) -> float:
        """All private money counted."""
        return self.private_own + (self.private_raised or 0.0)

    @property
    def ratio(self) -> float | None:
        """Private ÷ public (None without at least one euro of public aid: there is nothing to lever)."""
        return self.private / self.public if self.public >= 1 else None


def leverage(data: DashboardData, rows: pd.DataFrame | None = None) -> Leverage:
    """Private money brought along by the public aid of the funded projects."""
    rows = aid_rows(data) if rows is None else rows
    public = float(rows["amount"].sum()) if not rows.empty else 0.0
    funded = data.funded_ids()
    parts = data.participations[
        data.participations["project_id"].isin(funded) & data.participations["is_company"].astype(bool)
    ]
    if parts.empty:
        return Leverage(public, 0.0, data.private_raised)
    aid_per_partner = (
        rows.groupby("participation_id")["amount"].sum() if not rows.empty else pd.Series(dtype=float)
    )
    received = parts["participation_id"].map(aid_per_partner).fillna(0.0).to_numpy(dtype=float)
    own = np.clip(parts["total_cost"].to_numpy(dtype=float) - received, 0.0, None)
    return Leverage(public, float(own.sum()), data.private_raised)


def selection_rates(projects: pd.DataFrame, by: str = "call_id") -> pd.DataFrame:
    """Per `by` (call_id or year): proposals submitted, selected, funded, and the funded ÷ submitted rate.

    A proposal counts as submitted once it left the draft state (withdrawn ones included: they were
    submitted); selected counts selected and funded ones.
    """
    submitted = projects[projects["submitted"].astype(bool)]
    if submitted.empty:
        return pd.DataFrame(columns=[by, "submitted", "selected", "funded", "rate"])
    table = submitted.groupby(by).agg(
        submitted=("project_id", "count"),
        selected=("selected", "sum"),
        funded=("funded", "sum"),
    )
    table["selected"] = table["selected"].astype(int)
    table["funded"] = table["funded"].astype(int)
    table["rate"] = table["funded"] / table["submitted"]
    return table.reset_index().sort_values(by)


def overall_selection_rate(projects: pd.DataFrame) -> float | None:
    """Funded ÷ submitted proposals over all of `projects` (None without submitted proposals)."""
    submitted = projects["submitted"].astype(bool)
    if not submitted.any():
        return None
    return float((projects["funded"].astype(bool) & submitted).sum()) / float(submitted.sum())


def outputs_per_million(outputs: pd.DataFrame | None, aid: float) -> pd.DataFrame | None:
    """Outputs by kind, and per million euros of aid: a count for most kinds, the quantity (FTE, EUR) for
    jobs and private funding. None when outputs are not recorded or there is no aid to divide by."""
    if outputs is None or aid <= 0:
        return None
    if outputs.empty:
        return pd.DataFrame(columns=["kind", "count", "quantity", "per_million"])
    grouped = outputs.groupby("kind").agg(
        count=("project_id", "count"),
        quantity=("quantity", lambda q: float(pd.to_numeric(q).fillna(0).sum())),
    )
    measure = np.where(grouped.index.isin(list(QUANTITY_OUTPUTS)), grouped["quantity"], grouped["count"])
    grouped["per_million"] = measure / (aid / 1_000_000)
    return grouped.reset_index().sort_values("kind")


@dataclass
class Figures:
    """The headline numbers of one dashboard."""

    funded_projects: int
    aid: float
    sme_share: float | None
    mix: ConsortiumMix
    leverage: Leverage
    selection_rate: float | None


def headline(data: DashboardData, rows: pd.DataFrame | None = None) -> Figures:
    """Every headline figure of a dashboard from one set of rows."""
    rows = aid_rows(data) if rows is None else rows
    return Figures(
        funded_projects=len(data.funded_ids()),
        aid=float(rows["amount"].sum()) if not rows.empty else 0.0,
        sme_share=sme_share(rows),
        mix=consortium_mix(data),
        leverage=leverage(data, rows),
        selection_rate=overall_selection_rate(data.submissions),
    )
