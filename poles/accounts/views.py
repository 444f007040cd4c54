"""Second-factor enrolment and verification, and a person's own data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from poles.core import audit

from . import mfa
from .forms import OTPForm


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
def mfa_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the secret), then confirm a code."""
    if mfa.confirmed_device(request.user) and not request.user.is_verified():
        return redirect("accounts:mfa_verify")
    device = mfa.pending_device(request.user)
    form = OTPForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        audit.record("accounts.user.mfa_enrol", request.user, actor=request.user)
        messages.success(request, _("Your authenticator app is set up."))
        return redirect(_next(request))
    context = {
        "form": form,
        "qr_svg": mfa.qr_svg(device),
        "secret": mfa.secret_base32(device),
        "next": _next(request),
    }
    return render(request, "accounts/mfa_setup.html", context)


@login_required
def mfa_verify(request):
    """Confirm this log-in with the current code of the enrolled authenticator."""
    device = mfa.confirmed_device(request.user)
    if device is None:
        return redirect("accounts:mfa_setup")
    form = OTPForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(_next(request))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next(request)})


@login_required
def my_data(request):
    """Download everything poles holds about me, as JSON."""
    import json

    from django.http import HttpResponse

    from . import personal_data

    body = json.dumps(personal_data.export(request.user), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="poles-my-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response
