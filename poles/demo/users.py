"""Demo accounts (password `demo`), created only when DEBUG is on."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from poles.accounts.models import RoleAssignment
from poles.clusters.models import Membership
from poles.organisations.models import Organisation

from .generator import DemoContext, step

PASSWORD = "demo"  # noqa: S105 — demo accounts exist only with DEBUG on


def demo_member_organisation(ctx: DemoContext) -> Organisation:
    """An SME member of Minalogic since its first years, located in the Grenoble area."""
    minalogic = ctx.clusters["minalogic"]
    candidates = (
        Membership.objects.filter(cluster=minalogic, start__year__lte=2007, end__isnull=True)
        .filter(
            organisation__size_class__in=["small", "medium"], organisation__category__in=["company", "ntbf"]
        )
        .select_related("organisation")
        .order_by("organisation__departement__code", "start", "organisation_id")
    )
    grenoble = [
        m for m in candidates if m.organisation.departement and m.organisation.departement.code == "38"
    ]
    chosen = (grenoble or list(candidates))[0]
    return chosen.organisation


@step("demo accounts", last=True)
def make_users(ctx: DemoContext) -> None:
    if not ctx.accounts:
        ctx.log("demo accounts: skipped (DEBUG is off; demo log-ins exist only in development)")
        return
    user_model = get_user_model()
    member_org = demo_member_organisation(ctx)
    ctx.demo_member_org = member_org.pk
    start = dt.date(2005, 1, 1)
    accounts = [
        ("officer", "Programme officer", {"role": "officer", "programme": ctx.programme}),
        ("funder", "Funder officer (FUI)", {"role": "funder", "funder": ctx.funders["fui"]}),
        ("cluster", "Minalogic staff", {"role": "cluster", "cluster": ctx.clusters["minalogic"]}),
        ("member", f"Member: {member_org.name}", {"role": "member", "organisation": member_org}),
        ("reviewer", "Reviewer", {"role": "reviewer", "programme": ctx.programme}),
        ("analyst", "Analyst", {"role": "analyst", "programme": ctx.programme}),
    ]
    for username, label, role in accounts:
        user, _ = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@poles.example"}
        )
        user.first_name = label[:150]
        user.set_password(PASSWORD)
        user.save()
        RoleAssignment.objects.create(user=user, start=start, **role)
    admin, _ = user_model.objects.get_or_create(username="admin", defaults={"email": "admin@poles.example"})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(PASSWORD)
    admin.save()
    ctx.count("demo_accounts", len(accounts) + 1)


ACCOUNTS_HELP = [
    ("officer", "programme officer"),
    ("funder", "funder officer (FUI)"),
    ("cluster", "cluster staff (Minalogic)"),
    ("member", "member / applicant (an SME member of Minalogic)"),
    ("reviewer", "expert reviewer"),
    ("analyst", "analyst (read-only)"),
    ("admin", "Django administration"),
]
