"""The partner-search index of this process: built from the database, cached, kept fresh.

Why a per-process cache: a query over the whole programme costs a few sparse products once the
index exists (milliseconds), but building it reads every findable organisation, its competences,
profile, clusters and public projects (about a second on the `national` data set). Each web or
worker process therefore keeps one index in memory and rebuilds it when the data changed:

* writes made through this app's services mark the local index stale at commit (`invalidate`);
* every `POLES_PARTNER_INDEX_CHECK_SECONDS` (default 10 s) a fingerprint of the data (counts and
  last-change times of the tables the index reads) is compared with the one the index was built
  from, so changes made by another process or another app are picked up within that delay;
* whatever happens, an index older than `POLES_PARTNER_INDEX_MAX_AGE_SECONDS` (default 15 min)
  is rebuilt, which also catches bulk updates that bypass `updated_at`.

Only the very first search of a process waits for a build; later checks and rebuilds run in a
background thread while the previous index keeps answering (stale-while-revalidate). Nothing here
assumes one process: each process converges on the database's state on its own. A stale index
can never show an organisation that opted out meanwhile: the selectors check every organisation
they are about to show or name against the database (one indexed query per search).

Opt-in: only organisations with `findable=True` are passed to the engine, which drops every edge
and membership that mentions anybody else, so a non-findable organisation can be neither returned
nor named in a reason.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from poles.accounts.models import RoleAssignment
from poles.clusters.models import Cluster, Membership
from poles.clusters.selectors import active_on
from poles.organisations.models import Contact, Organisation
from poles.projects.models import Participation, Project
from poles.projects.rules import PUBLIC

from .engine import PartnerIndex, Profile, build_index
from .models import PartnerProfile

logger = logging.getLogger(__name__)

DEFAULT_CHECK_SECONDS = 10.0
DEFAULT_MAX_AGE_SECONDS = 900.0
# Past collaborations fade: a shared project counts half as much every five years.
HALF_LIFE_YEARS = 5.0
PUBLIC_CONTROL_THRESHOLD = Decimal(25)


@dataclass(frozen=True)
class PartnerCard:
    """What a result line shows about an organisation, read once at build time (no query per row)."""

    id: int
    name: str
    acronym: str
    category: str
    size_class: str
    region: str
    region_name: str
    commune: str
    clusters: tuple[str, ...]
    public_controlled: bool
    reachable: bool
    competences: tuple[tuple[str, str], ...] = ()  # (French, English) labels


@dataclass(eq=False)
class PartnerData:
    """The engine's index plus what pages need to name things, and when it was built from what."""

    index: PartnerIndex
    cards: dict[str, PartnerCard]
    cluster_names: dict[str, str]
    cluster_regions: dict[str, frozenset[str]]
    fingerprint: tuple
    built_at: float
    build_seconds: float
    checked_at: float = field(default=0.0)

    def card(self, org_id) -> PartnerCard | None:
        """The card of an indexed (findable) organisation, or None."""
        return self.cards.get(str(org_id))

    @property
    def names(self) -> Mapping[str, str]:
        """Organisation ids and cluster codes to their names, without copying them per query."""
        return _Names(self)


class _Names(Mapping):
    """A read-only view: organisation id -> name, cluster code -> name (what reasons need)."""

    def __init__(self, data: PartnerData) -> None:
        self.data = data

    def __getitem__(self, key: str) -> str:
        card = self.data.cards.get(str(key))
        if card is not None:
            return card.name
        return self.data.cluster_names[key]

    def __iter__(self) -> Iterator[str]:
        yield from self.data.cards
        yield from self.data.cluster_names

    def __len__(self) -> int:
        return len(self.data.cards) + len(self.data.cluster_names)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def data_fingerprint() -> tuple:
    """Counts and last changes of everything the index reads: equal fingerprints, same index.

    Today's date is part of it because "current cluster membership" changes at midnight.
    """
    org = Organisation.objects.aggregate(n=Count("id", filter=Q(findable=True)), changed=Max("updated_at"))
    profile = PartnerProfile.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    membership = Membership.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    participation = Participation.objects.aggregate(n=Count("id"), last=Max("id"))
    project = Project.objects.filter(PUBLIC).aggregate(n=Count("id"), changed=Max("updated_at"))
    contact = Contact.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    return (
        timezone.localdate().isoformat(),
        *(str(value) for part in (org, profile, membership, participation, project, contact)
          for value in part.values()),
    )  # fmt: skip


def _reachable_ids(today) -> set[int]:
    """Organisations the platform can relay a message to: a contact or a member account with an e-mail."""
    ids = set(
        Contact.objects.filter(organisation__findable=True)
        .exclude(email="")
        .values_list("organisation_id", flat=True)
    )
    ids.update(
        RoleAssignment.objects.filter(role="member", organisation__findable=True, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .exclude(user__email="")
        .values_list("organisation_id", flat=True)
    )
    return ids


def build_partner_data(today=None) -> PartnerData:
    """Read the findable organisations and their history from the database and index them."""
    started = time.perf_counter()
    fingerprint = data_fingerprint()
    today = today or timezone.localdate()
    texts: dict[int, list[str]] = defaultdict(list)
    competences: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = list(
        Organisation.objects.filter(findable=True).values_list(
            "id", "name", "acronym", "category", "size_class", "public_control", "departement__region__code",
            "departement__region__name", "commune", "description", "competences_text",
        )
    )  # fmt: skip
    for row in rows:
        texts[row[0]] += [row[9], row[10]]
    for org_id, label_fr, label_en in Organisation.competences.through.objects.filter(
        organisation__findable=True
    ).values_list("organisation_id", "competence__label_fr", "competence__label_en"):
        competences[org_id].append((label_fr, label_en))
        texts[org_id] += [label_fr, label_en]
    hide_projects: set[int] = set()
    for profile in PartnerProfile.objects.filter(organisation__findable=True).only(
        "organisation_id", "offer_fr", "offer_en", "equipment", "past_projects", "looking_for",
        "show_platform_projects",
    ):  # fmt: skip
        texts[profile.organisation_id].append(profile.search_text())
        if not profile.show_platform_projects:
            hide_projects.add(profile.organisation_id)

    memberships: dict[str, list[str]] = defaultdict(list)
    for org_id, slug in Membership.objects.filter(active_on(today), organisation__findable=True).values_list(
        "organisation_id", "cluster__slug"
    ):
        memberships[str(org_id)].append(slug)

    # Only public projects (funded, or external such as CORDIS): a proposal's consortium is
    # confidential, so a rejected or draft proposal must never show up as "worked with".
    project_count: dict[int, int] = defaultdict(int)
    members_of_project: dict[int, list[int]] = defaultdict(list)
    project_year: dict[int, int | None] = {}
    for project_id, org_id, findable, start, title in Participation.objects.filter(
        project__in=Project.objects.filter(PUBLIC)
    ).values_list(
        "project_id", "organisation_id", "organisation__findable", "project__start_date", "project__title"
    ):
        project_count[org_id] += 1
        if findable:
            members_of_project[project_id].append(org_id)
            project_year[project_id] = start.year if start else None
            if org_id not in hide_projects:
                texts[org_id].append(title)
    edges = [
        (str(a), str(b), 1.0, project_year[project_id])
        for project_id, members in members_of_project.items()
        for a, b in combinations(sorted(members), 2)
    ]

    profiles = [
        Profile(
            org_id=str(row[0]),
            text="\n".join(t for t in texts[row[0]] if t),
            category=row[3],
            size=row[4] or "",
            region=row[6] or "",
            project_count=project_count.get(row[0], 0),
        )
        for row in rows
    ]
    index = build_index(
        profiles, edges, memberships, reference_year=today.year, half_life_years=HALF_LIFE_YEARS
    )
    reachable = _reachable_ids(today)
    cards = {
        str(row[0]): PartnerCard(
            id=row[0], name=row[1], acronym=row[2], category=row[3], size_class=row[4] or "",
            region=row[6] or "", region_name=row[7] or "", commune=row[8],
            clusters=tuple(sorted(memberships.get(str(row[0]), ()))),
            public_controlled=Decimal(row[5] or 0) >= PUBLIC_CONTROL_THRESHOLD,
            reachable=row[0] in reachable, competences=tuple(sorted(competences.get(row[0], ()))),
        )
        for row in rows
    }  # fmt: skip
    cluster_names: dict[str, str] = {}
    cluster_regions: dict[str, set[str]] = defaultdict(set)
    for slug, name, region_code, region_kind in Cluster.objects.values_list(
        "slug", "name", "regions__code", "regions__kind"
    ):
        cluster_names[slug] = name
        if region_kind == "current":
            cluster_regions[slug].add(region_code)
    now = time.monotonic()
    return PartnerData(
        index=index,
        cards=cards,
        cluster_names=cluster_names,
        cluster_regions={slug: frozenset(cluster_regions.get(slug, ())) for slug in cluster_names},
        fingerprint=fingerprint,
        built_at=now,
        build_seconds=time.perf_counter() - started,
        checked_at=now,
    )


class _Cache:
    """One PartnerData per process. The first build is synchronous; afterwards a stale index keeps
    serving while a background thread checks the data and rebuilds it (stale-while-revalidate), so
    no search waits for the check (tens of ms) or a rebuild (seconds on the national data set).
    With POLES_PARTNER_INDEX_BACKGROUND = False (the tests), checks and rebuilds run in the request.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data: PartnerData | None = None
        self.stale = False
        self.builds = 0
        self.refreshing = False
        self.thread: threading.Thread | None = None

    def get(self) -> PartnerData:
        data = self.data
        if data is None:
            with self.lock:
                if self.data is None:
                    self._rebuild()
                return self.data
        if not self._due(data):
            return data
        if getattr(settings, "POLES_PARTNER_INDEX_BACKGROUND", True):
            self._refresh_in_background(data)
            return data
        with self.lock:
            self._refresh(data)
            return self.data

    def _due(self, data: PartnerData) -> bool:
        """Whether it is time to look at the data again (not whether it changed)."""
        now = time.monotonic()
        return (
            self.stale
            or now - data.built_at >= _setting("POLES_PARTNER_INDEX_MAX_AGE_SECONDS", DEFAULT_MAX_AGE_SECONDS)
            or now - data.checked_at >= _setting("POLES_PARTNER_INDEX_CHECK_SECONDS", DEFAULT_CHECK_SECONDS)
        )

    def _rebuild(self) -> None:
        self.stale = False  # cleared first: an invalidation during the build triggers another one
        self.data = build_partner_data()
        self.builds += 1

    def _refresh(self, data: PartnerData) -> None:
        now = time.monotonic()
        too_old = now - data.built_at >= _setting(
            "POLES_PARTNER_INDEX_MAX_AGE_SECONDS", DEFAULT_MAX_AGE_SECONDS
        )
        if self.stale or too_old or data_fingerprint() != data.fingerprint:
            self._rebuild()
        else:
            data.checked_at = now

    def _refresh_in_background(self, data: PartnerData) -> None:
        with self.lock:
            if self.refreshing:
                return
            self.refreshing = True

        def work() -> None:
            from django.db import connection

            try:
                with self.lock:
                    self._refresh(data)
            except Exception:
                logger.exception("the partner-search index could not be refreshed; the previous one is kept")
                data.checked_at = time.monotonic()
            finally:
                self.refreshing = False
                connection.close()  # this thread's own connection

        self.thread = threading.Thread(target=work, name="partner-index-refresh", daemon=True)
        self.thread.start()


_cache = _Cache()


def partner_data() -> PartnerData:
    """The current index of this process (built on first use, rebuilt when the data changed)."""
    return _cache.get()


def invalidate() -> None:
    """Mark this process's index stale: it is rebuilt at the next search (in the background once
    an index exists). Call it on commit of a write. Searches never show an organisation that
    opted out meanwhile: the selectors check the results against the database."""
    _cache.stale = True


def reset() -> None:
    """Forget the index entirely (tests start each case from the database they see)."""
    with _cache.lock:
        _cache.data = None
        _cache.stale = False


def wait_for_refresh(timeout: float = 60.0) -> None:
    """Wait for a background refresh to finish (tests, and the benchmark's cold/warm split)."""
    thread = _cache.thread
    if thread is not None:
        thread.join(timeout)


def build_count() -> int:
    """How many times this process built the index (for tests and the benchmark)."""
    return _cache.builds
