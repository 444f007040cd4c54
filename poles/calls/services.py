"""Writes on calls: create from a preset, edit (versioned once open), funders' envelopes, publish, close.

Every write is validated (the engines' `validate_call_config` for rules, rates, caps and criteria,
plus the selection policy and instalment schedule here), locked against concurrent edits
(`expected_version`), and audited with before and after. Once a call is open, any change makes a
new `CallVersion` holding the whole published state, with the officer's reason.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.core import audit
from poles.core.exceptions import StaleObject
from poles.core.permissions import can
from poles.core.workflow import perform

from .engine import get_preset, validate_call_config
from .engine.messages import Message
from .models import Call, CallFunder, CallVersion, Funder
from .workflow import CALL

CONFIG_SECTIONS = ("rules", "rates", "caps", "evaluation", "selection", "instalments")
EDITABLE_FIELDS = (
    "reference", "number", "title_fr", "title_en", "description_fr", "description_en", "kind",
    "opens_at", "labelling_deadline", "submission_deadline", *CONFIG_SECTIONS,
)  # fmt: skip
SELECTION_OBJECTIVES = ("score", "score_per_euro")
INSTALMENT_KEYS = ("advance", "intermediate", "balance")


def _require(actor, perm: str, obj=None) -> None:
    if not can(actor, perm, obj):
        raise PermissionDenied


# --------------------------------------------------------------------------- validation


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def validate_selection(selection: Any) -> list[Message]:
    """Problems of a selection policy: {"objective", "min_sme_share", "max_aid_per_cluster", "min_score"}."""
    if not isinstance(selection, Mapping):
        return [Message(_("The selection policy must be an object."))]
    problems = []
    unknown = sorted(set(selection) - {"objective", "min_sme_share", "max_aid_per_cluster", "min_score"})
    if unknown:
        problems.append(
            Message(_("The selection policy has unknown keys: %(keys)s."), {"keys": ", ".join(unknown)})
        )
    objective = selection.get("objective", "score")
    if objective not in SELECTION_OBJECTIVES:
        problems.append(
            Message(
                _('The selection objective must be "score" or "score_per_euro", not "%(value)s".'),
                {"value": objective},
            )
        )
    share = selection.get("min_sme_share")
    if share is not None and not (_number(share) is not None and 0 <= _number(share) <= 1):
        problems.append(Message(_("The minimum SME share must be a fraction between 0 and 1.")))
    for key, label in (
        ("max_aid_per_cluster", _("maximum aid per cluster")),
        ("min_score", _("minimum score")),
    ):
        value = selection.get(key)
        if value is not None and not (_number(value) is not None and _number(value) >= 0):
            problems.append(Message(_("The %(what)s must be a number, zero or more."), {"what": label}))
    return problems


def validate_instalments(instalments: Any) -> list[Message]:
    """Problems of an instalment schedule: shares of the aid that add up to 1 (or an empty schedule)."""
    if not isinstance(instalments, Mapping):
        return [Message(_("The instalment schedule must be an object."))]
    if not instalments:
        return []
    problems = []
    unknown = sorted(set(instalments) - set(INSTALMENT_KEYS))
    if unknown:
        problems.append(
            Message(_("The instalment schedule has unknown keys: %(keys)s."), {"keys": ", ".join(unknown)})
        )
    shares = [_number(instalments.get(key, 0)) for key in INSTALMENT_KEYS]
    if any(share is None or share < 0 or share > 1 for share in shares):
        problems.append(Message(_("Each instalment must be a fraction between 0 and 1.")))
    elif sum(shares) != 1:
        problems.append(
            Message(_("The instalments add up to %(total)s; they must add up to 1."), {"total": sum(shares)})
        )
    return problems


def rate_funder_problems(rates: Any, funder_codes: set[str]) -> list[Message]:
    """Rate rows naming a funder that is not in the call, and funders of the call without a rate."""
    if not isinstance(rates, list):
        return []
    named = {row.get("funder") for row in rates if isinstance(row, Mapping)}
    problems = [
        Message(
            _('The rate table names the funder "%(code)s", which does not take part in the call.'),
            {"code": code},
        )
        for code in sorted(str(c) for c in named - funder_codes)
    ]
    problems += [
        Message(_('The funder "%(code)s" has no row in the rate table.'), {"code": code})
        for code in sorted(funder_codes - named)
    ]
    return problems


def config_problems(values: Mapping[str, Any]) -> dict[str, list[Message]]:
    """Problems per section of a call's configuration (kind, rules, rates, caps, evaluation,
    selection, instalments); an empty dict means the configuration can be saved."""
    problems = validate_call_config(
        {
            "kind": values.get("kind"),
            "rules": values.get("rules", []),
            "rates": values.get("rates", []),
            "caps": values.get("caps") or {},
            "evaluation": values.get("evaluation"),
        }
    )
    for section, check in (("selection", validate_selection), ("instalments", validate_instalments)):
        found = check(values.get(section) or {})
        if found:
            problems[section] = found
    return problems


def funder_codes(call: Call) -> set[str]:
    """The codes (funder slugs) the call's rate table and caps refer to."""
    return set(call.call_funders.values_list("funder__slug", flat=True))


def publication_problems(call: Call) -> list[Message]:
    """Why the call cannot open yet (empty: it can): configuration, funders, envelopes, deadline."""
    problems: list[Message] = []
    for found in config_problems(_values(call)).values():
        problems += found
    funders = list(call.call_funders.select_related("funder"))
    if not funders:
        problems.append(Message(_("Add at least one funder with its envelope.")))
    problems += [
        Message(_("The envelope of %(funder)s is zero."), {"funder": cf.funder.name})
        for cf in funders
        if cf.envelope <= 0
    ]
    problems += rate_funder_problems(call.rates, {cf.funder.slug for cf in funders})
    if call.submission_deadline and call.submission_deadline <= timezone.now():
        problems.append(Message(_("The submission deadline is already past.")))
    return problems


def _values(call: Call) -> dict[str, Any]:
    return {name: getattr(call, name) for name in ("kind", *CONFIG_SECTIONS)}


def _raise_config(problems: Mapping[str, list[Message]]) -> None:
    if problems:
        raise ValidationError({section: [str(m) for m in found] for section, found in problems.items()})


# --------------------------------------------------------------------------- snapshots


def snapshot(call: Call) -> dict[str, Any]:
    """The whole published state of a call (content and funders), as stored in a CallVersion."""
    data = audit.snapshot(call, list(EDITABLE_FIELDS))
    data["funders"] = [
        {"funder": slug, "envelope": str(envelope)}
        for slug, envelope in call.call_funders.order_by("funder__slug").values_list(
            "funder__slug", "envelope"
        )
    ]
    return data


def _new_version(call: Call, actor, reason: str) -> CallVersion:
    last = call.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return CallVersion.objects.create(
        call=call, number=last + 1, author=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason, snapshot=snapshot(call),
    )  # fmt: skip


def _rename_funder(config: dict[str, Any], old: str, new: str) -> None:
    for row in config.get("rates", []):
        if row.get("funder") == old:
            row["funder"] = new
    caps = config.get("caps") or {}
    if old in caps:
        caps[new] = caps.pop(old)


# --------------------------------------------------------------------------- writes


def create_call(
    programme,
    *,
    actor,
    preset: str,
    reference: str,
    title_fr: str,
    title_en: str,
    opens_at,
    labelling_deadline,
    submission_deadline,
    number: int | None = None,
    description_fr: str = "",
    description_en: str = "",
    state_funder: Funder | None = None,
    envelopes: Mapping[Funder, Decimal] | None = None,
    selection: Mapping[str, Any] | None = None,
    instalments: Mapping[str, Any] | None = None,
) -> Call:
    """A new call in preparation, its rules, rates, caps and criteria copied from a preset.

    The presets name the State's rates "state"; `state_funder` says which funder that is in this
    call (its slug replaces "state"). `envelopes` adds funders with their envelopes.
    """
    _require(actor, "calls.manage_call", Call(programme=programme))
    try:
        config = get_preset(preset)
    except KeyError as exc:
        raise ValidationError({"preset": [_("Unknown preset.")]}) from exc
    if state_funder is not None:
        _rename_funder(config, "state", state_funder.slug)
    values = {
        "programme": programme, "reference": reference, "number": number, "title_fr": title_fr,
        "title_en": title_en, "description_fr": description_fr, "description_en": description_en,
        "kind": config["kind"], "preset": preset, "opens_at": opens_at,
        "labelling_deadline": labelling_deadline, "submission_deadline": submission_deadline,
        "rules": config["rules"], "rates": config["rates"], "caps": config["caps"],
        "evaluation": config["evaluation"], "selection": dict(selection or {"objective": "score"}),
        "instalments": dict(instalments or {"advance": "0.3", "intermediate": "0.4", "balance": "0.3"}),
    }  # fmt: skip
    _raise_config(config_problems(values))
    with transaction.atomic():
        call = Call(**values)
        call.full_clean()
        call.save()
        for funder, envelope in (envelopes or {}).items():
            cf = CallFunder(call=call, funder=funder, envelope=envelope)
            cf.full_clean()
            cf.save()
        audit.record("calls.call.create", call, actor=actor, after=snapshot(call))
    return call


def update_call(
    call: Call, *, actor, expected_version: int | None = None, reason: str = "", **changes: Any
) -> Call:
    """Change a call's texts, dates or configuration.

    In preparation, changes are audited. Once open, a reason is required and every change makes a
    new CallVersion (the whole published state) besides the audit event with before and after.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        _require(actor, "calls.manage_call", locked)
        if expected_version is not None and locked.version != expected_version:
            raise StaleObject(locked.version)
        published = locked.status != Call.Status.DRAFT
        before = snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, copy.deepcopy(value))
        problems = config_problems(_values(locked))
        if published:
            found = rate_funder_problems(locked.rates, funder_codes(locked))
            if found:
                problems.setdefault("rates", []).extend(found)
        _raise_config(problems)
        locked.full_clean()
        after = snapshot(locked)
        if after == before:
            return locked
        if published and not reason.strip():
            raise ValidationError(
                {
                    "reason": [
                        _(
                            "The call is published: say why it changes (the reason is kept with the new version)."
                        )
                    ]
                }
            )
        locked.version += 1
        locked.save()
        if published:
            _new_version(locked, actor, reason)
        audit.record("calls.call.update", locked, actor=actor, before=before, after=after, reason=reason)
    return locked


def set_envelope(
    call: Call,
    funder: Funder,
    envelope: Decimal,
    *,
    actor,
    expected_version: int | None = None,
    reason: str = "",
) -> CallFunder:
    """Add a funder to a call, or change its envelope (versioned and explained once the call is open)."""
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        _require(actor, "calls.manage_call", locked)
        if expected_version is not None and locked.version != expected_version:
            raise StaleObject(locked.version)
        published = locked.status != Call.Status.DRAFT
        before = snapshot(locked)
        row = CallFunder.objects.filter(call=locked, funder=funder).first() or CallFunder(
            call=locked, funder=funder
        )
        row.envelope = envelope
        row.full_clean()
        if published and row.pk is None and not any(r.get("funder") == funder.slug for r in locked.rates):
            raise ValidationError(
                {"funder": [_("Add this funder's rows to the rate table before it joins a published call.")]}
            )
        if published and not reason.strip():
            raise ValidationError({"reason": [_("The call is published: say why its funding changes.")]})
        row.save()
        after = snapshot(locked)
        if after != before:
            locked.version += 1
            locked.save(update_fields=["version", "updated_at"])
            if published:
                _new_version(locked, actor, reason)
            audit.record("calls.call.funders", locked, actor=actor, before=before, after=after, reason=reason)
    return row


def remove_funder(
    call: Call, funder: Funder, *, actor, expected_version: int | None = None, reason: str = ""
) -> None:
    """Take a funder out of a call in preparation (a published call keeps the funders applicants asked)."""
    from django.apps import apps

    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        _require(actor, "calls.manage_call", locked)
        if expected_version is not None and locked.version != expected_version:
            raise StaleObject(locked.version)
        if locked.status != Call.Status.DRAFT:
            raise ValidationError(
                _("A published call keeps its funders; set the envelope to what remains instead.")
            )
        aid_request = apps.get_model("projects", "AidRequest")
        if aid_request.objects.filter(participation__project__call=locked, funder=funder).exists():
            raise ValidationError(_("Applicants already ask this funder for aid in this call."))
        before = snapshot(locked)
        deleted, _rows = CallFunder.objects.filter(call=locked, funder=funder).delete()
        if deleted:
            locked.version += 1
            locked.save(update_fields=["version", "updated_at"])
            audit.record(
                "calls.call.funders",
                locked,
                actor=actor,
                before=before,
                after=snapshot(locked),
                reason=reason,
            )


def publish_call(call: Call, *, actor, expected_version: int | None = None) -> Call:
    """Open a call to submissions (draft → open) and store its first published version."""
    with transaction.atomic():
        opened = perform(CALL, call, "publish", actor, expected_version=expected_version)
        _new_version(opened, actor, str(_("Published")))
    return opened


def close_call(call: Call, *, actor, expected_version: int | None = None, reason: str = "") -> Call:
    """End submissions (open → closed), once the submission deadline has passed."""
    return perform(CALL, call, "close", actor, expected_version=expected_version, reason=reason)


def advance_call(
    call: Call, name: str, *, actor, expected_version: int | None = None, reason: str = ""
) -> Call:
    """Move a closed call through its review and selection phases (start_review, start_selection, decide)."""
    if name not in ("start_review", "start_selection", "decide"):
        raise ValueError(name)
    return perform(CALL, call, name, actor, expected_version=expected_version, reason=reason)
