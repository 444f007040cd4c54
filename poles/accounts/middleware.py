"""Session expiry and the multi-factor gate for privileged users."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .mfa import confirmed_device, mfa_required

LOGIN_AT = "_poles_login_at"
SEEN_AT = "_poles_seen_at"


class SessionExpiryMiddleware:
    """Log out after POLES_SESSION_IDLE seconds of inactivity or SESSION_COOKIE_AGE after log-in.

    The last-seen time is written at most once a minute, so browsing does not rewrite the session
    on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            if now - seen_at > settings.POLES_SESSION_IDLE or now - login_at > settings.SESSION_COOKIE_AGE:
                logout(request)
            elif now - seen_at >= 60 or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)


# Paths an unverified privileged user may still reach: the MFA pages themselves, log-out,
# language switching, static files and the health check.
_OPEN_NAMES = ("accounts:mfa_verify", "accounts:mfa_setup", "accounts:logout", "accounts:login")


class MFARequiredMiddleware:
    """Send a privileged user whose session has no verified second factor to verify or enrol.

    Pages redirect (to enrolment if the user has no authenticator yet); the API answers 403 with
    the usual error envelope when it is called with such a session. Token-authenticated API
    calls carry no session: their tokens are issued only after a code (see accounts.api).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified() or not mfa_required(user):
            return self.get_response(request)
        path = request.path_info
        if path.startswith(("/static/", "/i18n/", "/healthz")) or path.endswith("/jsi18n/"):
            return self.get_response(request)
        if request.resolver_match is None:
            from django.urls import Resolver404, resolve

            try:
                match = resolve(path)
            except Resolver404:
                return self.get_response(request)
        else:
            match = request.resolver_match
        if match.view_name in _OPEN_NAMES:
            return self.get_response(request)
        if path.startswith("/api/"):
            return JsonResponse(
                {
                    "status": 403,
                    "code": "mfa_required",
                    "message": _("Confirm your log-in with your authenticator code first."),
                    "errors": {},
                },
                status=403,
            )
        target = "accounts:mfa_verify" if confirmed_device(user) else "accounts:mfa_setup"
        return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
