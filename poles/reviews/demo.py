"""Demo step: the programme's pool of expert reviewers (about 60 at the default scale).

Experts work mostly for research organisations, some for firms that are not cluster members,
some are independent; each has a few expertise keywords taken from the clusters' specialisation
fields and a load limit per call. They get no password (they would reset one). The demo
`reviewer` account, when demo accounts are made, joins the pool too, so it receives proposals
in the past calls reviewed by the selection app's demo step.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from poles.accounts.models import RoleAssignment
from poles.demo import names, reference
from poles.demo.generator import DemoContext, step

from .models import Reviewer

POOL_SIZE = 60


def expertise_vocabulary() -> list[list[str]]:
    """Keywords per specialisation field: the French label and its short stem, as proposals use."""
    return [list(dict.fromkeys([label_fr, stem])) for _slug, label_fr, _label_en, stem in reference.FIELDS]


@step("reviewer pool")
def make_reviewer_pool(ctx: DemoContext) -> None:
    rng = ctx.rng
    size = max(6, round(POOL_SIZE * ctx.scale.member_factor))
    research = [
        pk
        for kind in ("public_research", "hei_research", "nonprofit_research")
        for pk in ctx.org_ids.get(kind, [])
    ]
    firms = list(ctx.org_ids.get("non_member_firm", []))
    vocabulary = expertise_vocabulary()
    user_model = get_user_model()
    unusable = make_password(None)
    users, specs = [], []
    for index in range(size):
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        users.append(
            user_model(
                username=f"expert-{index + 1:03d}",
                first_name=first,
                last_name=last,
                email=f"expert-{index + 1:03d}@experts.example",
                password=unusable,
            )
        )
        draw = rng.random()
        organisation = (
            rng.choice(research)
            if draw < 0.7 and research
            else rng.choice(firms)
            if draw < 0.9 and firms
            else None
        )
        fields = rng.sample(vocabulary, k=min(len(vocabulary), rng.randint(2, 3)))
        specs.append((organisation, [word for field in fields for word in field], rng.randint(10, 14)))
    users = user_model.objects.bulk_create(users)
    Reviewer.objects.bulk_create(
        Reviewer(user=user, programme=ctx.programme, organisation_id=org, expertise=words, max_load=load)
        for user, (org, words, load) in zip(users, specs, strict=True)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role="reviewer", programme=ctx.programme, start=dt.date(2005, 1, 1))
        for user in users
    )
    if ctx.accounts:
        # The demo account (its password and role come from the demo-accounts step, before or after).
        demo, _created = user_model.objects.get_or_create(
            username="reviewer", defaults={"email": "reviewer@poles.example", "password": unusable}
        )
        words = [word for field in vocabulary[:4] for word in field]
        Reviewer.objects.get_or_create(
            user=demo,
            defaults={
                "programme": ctx.programme,
                "organisation_id": research[0] if research else None,
                "expertise": words,
                "max_load": 14,
            },
        )
    ctx.count("reviewers", size + (1 if ctx.accounts else 0))
