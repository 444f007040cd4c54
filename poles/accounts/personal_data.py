"""A person's data on request: export everything linked to them, or erase it by pseudonymisation.

Export gathers the account, every row of every model that points to the user (found from the
model graph, so a new app's rows are included without editing this file), the organisation
contacts that carry the user's e-mail address and a summary of their audit events.

Erasure replaces the name, e-mail, username and password of the account and of those contacts
with neutral values and closes the account. Rows (proposals, reviews, decisions, payments…) stay,
pointing at the pseudonymised account, so counts, sums and indicators do not change. The audit
trail is append-only and keeps who did what when (a legal obligation of public funding): its
rows are not rewritten, so the chain still verifies; the erasure itself is recorded in it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from poles.core import audit

ACCOUNT_FIELDS = [
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "date_joined",
    "last_login",
    "is_active",
]
_SKIPPED = {
    "core.auditevent",
    "admin.logentry",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def _user_foreign_keys():
    user_model = get_user_model()
    for model in apps.get_models():
        if model._meta.label_lower in _SKIPPED:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.remote_field.model is user_model:
                yield model, field


def _contacts(user):
    if not user.email:
        return apps.get_model("organisations", "Contact").objects.none()
    return apps.get_model("organisations", "Contact").objects.filter(email__iexact=user.email)


def export(user) -> dict[str, Any]:
    """Everything held about `user`, JSON-ready."""
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": audit.to_json({name: getattr(user, name) for name in ACCOUNT_FIELDS}),
        "records": {},
        "contacts": [audit.snapshot(c) for c in _contacts(user)],
    }
    secrets = {"password", "key", "bin_key", "token", "throttling_failure_timestamp"}
    for model, field in _user_foreign_keys():
        rows = model._default_manager.filter(**{field.name: user})
        for row in rows[:5000]:
            snap = {k: v for k, v in audit.snapshot(row).items() if k not in secrets}
            data["records"].setdefault(f"{model._meta.label_lower}.{field.name}", []).append(snap)
    events = apps.get_model("core", "AuditEvent").objects.filter(actor=user)
    data["audit_events"] = {
        "count": events.count(),
        "actions": sorted(set(events.values_list("action", flat=True))),
    }
    return data


@transaction.atomic
def erase(user, *, actor=None, reason: str = "") -> None:
    """Pseudonymise the account and the contacts bearing its e-mail; keep every other row."""
    contacts = list(_contacts(user))
    pseudonym = f"erased-{user.pk}"
    user.username = pseudonym
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    for contact in contacts:
        contact.first_name = "—"
        contact.last_name = pseudonym
        contact.email = ""
        contact.phone = ""
        contact.job_title = ""
        contact.save()
    # Log-in material: devices, API tokens, open sessions.
    apps.get_model("otp_totp", "TOTPDevice").objects.filter(user=user).delete()
    apps.get_model("authtoken", "Token").objects.filter(user=user).delete()
    _close_sessions(user)
    audit.record(
        "accounts.user.erase",
        user,
        actor=actor,
        after={"user": user.pk, "contacts": [c.pk for c in contacts]},
        reason=reason or "personal data erased on request",
        object_repr=pseudonym,
    )


def _close_sessions(user) -> None:
    from django.contrib.sessions.models import Session

    if "django.contrib.sessions" not in settings.INSTALLED_APPS:
        return
    for session in Session.objects.filter(expire_date__gte=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
