"""A call of the tests' own, so that they do not depend on which calls other demo steps open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from poles.calls.engine.presets import get_preset
from poles.calls.models import Call, CallFunder, Funder
from poles.instruments.models import Programme

REFERENCE = "test-partners-open-call"


def partners_call() -> Call:
    """An open call with the FUI classic rules plus "at least one SME" (created once per test DB state)."""
    existing = Call.objects.filter(reference=REFERENCE).first()
    if existing is not None:
        return existing
    preset = get_preset("fui_classic")
    rules = list(preset["rules"])
    rules.insert(2, {"rule": "sme_required", "params": {"min": 1}, "severity": "fail"})
    now = timezone.now()
    call = Call.objects.create(
        programme=Programme.objects.get(slug="poles-competitivite"), reference=REFERENCE,
        title_fr="Appel de test (partenaires)", title_en="Test call (partners)", status=Call.Status.OPEN,
        opens_at=now - dt.timedelta(days=1), labelling_deadline=now + dt.timedelta(days=30),
        submission_deadline=now + dt.timedelta(days=60), rules=rules, rates=preset["rates"],
        evaluation=preset["evaluation"],
    )  # fmt: skip
    CallFunder.objects.create(call=call, funder=Funder.objects.get(slug="fui"), envelope=Decimal(10_000_000))
    return call
