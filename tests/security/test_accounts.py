"""Accounts: log-in throttling, password policy, session expiry and TOTP MFA for privileged roles."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from poles.accounts.middleware import LOGIN_AT, SEEN_AT

PASSWORD = "a-long-demo-password-42"


def _code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():0{device.digits}d}"


def _after_a_failure(device: TOTPDevice) -> None:
    """A failed code makes the device refuse codes for a growing delay; the test does not wait."""
    device.refresh_from_db()
    assert not device.verify_is_allowed()[0]  # throttled right after a failure
    device.throttle_reset()


@pytest.fixture
def with_password(users):
    for name in ("member", "officer"):
        users[name].set_password(PASSWORD)
        users[name].save()
    return users


@pytest.fixture
def mfa_on(settings):
    settings.POLES_MFA_REQUIRED = True
    return settings


# --- log-in throttling ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix, message", [("", "Trop de tentatives de connexion"), ("/en", "Too many failed log-ins")]
)
def test_repeated_failures_lock_the_account_with_a_message_in_the_users_language(
    prefix, message, client, with_password, settings
):
    url = prefix + reverse("accounts:login").removeprefix("/en")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "member", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    locked = client.post(url, {"username": "member", "password": "wrong"})
    assert locked.status_code == 429
    assert message in locked.content.decode()
    # Even the right password is refused while locked, and nobody is logged in.
    again = client.post(url, {"username": "member", "password": PASSWORD})
    assert again.status_code == 429
    assert not again.wsgi_request.user.is_authenticated


def test_a_success_before_the_limit_resets_the_count(client, with_password, settings):
    url = reverse("accounts:login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "member", "password": "wrong"})
    assert client.post(url, {"username": "member", "password": PASSWORD}).status_code == 302
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "member", "password": "wrong"}).status_code == 200


def test_the_api_token_endpoint_is_throttled_too(client, with_password, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/token/", {"username": "member", "password": "wrong"})
    # The right password is refused while locked: no token.
    response = client.post("/api/token/", {"username": "member", "password": PASSWORD})
    assert response.status_code in (400, 403, 429)
    assert "token" not in response.json()


# --- password policy and sessions ------------------------------------------------------------


@pytest.mark.parametrize("weak", ["short1!", "password1234", "123456789012", "abcdefghijk"])
def test_weak_passwords_are_refused(weak, users):
    with pytest.raises(ValidationError):
        validate_password(weak, users["member"])


def test_a_long_unusual_password_is_accepted(users):
    validate_password("correct horse battery staple 77", users["member"])


@pytest.mark.parametrize("key, age", [(SEEN_AT, "POLES_SESSION_IDLE"), (LOGIN_AT, "SESSION_COOKIE_AGE")])
def test_idle_and_old_sessions_are_closed(key, age, client, users, settings):
    client.force_login(users["member"])
    assert client.get("/").wsgi_request.user.is_authenticated
    session = client.session
    session[key] = int(time.time()) - getattr(settings, age) - 5
    session.save()
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert client.get(reverse("accounts:mfa_setup")).status_code == 302  # asked to log in again


def test_an_active_session_stays_open(client, users, settings):
    client.force_login(users["member"])
    client.get("/")
    session = client.session
    session[SEEN_AT] = int(time.time()) - settings.POLES_SESSION_IDLE + 120
    session.save()
    assert client.get("/").wsgi_request.user.is_authenticated


# --- multi-factor authentication ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "funder", "cluster"])
def test_privileged_users_are_sent_to_enrol_then_pass_with_a_code(role, mfa_on, client, users):
    client.force_login(users[role])
    response = client.get("/clusters/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_setup") + "?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "https://" not in html.split('id="mfa-qr"')[1].split("</div>")[0]
    device = TOTPDevice.objects.get(user=users[role], confirmed=False)
    wrong = client.post(reverse("accounts:mfa_setup"), {"token": "000000", "next": "/clusters/"})
    assert wrong.status_code == 200 and "n’est pas valide" in wrong.content.decode()
    _after_a_failure(device)
    ok = client.post(reverse("accounts:mfa_setup"), {"token": _code(device), "next": "/clusters/"})
    assert ok.status_code == 302 and ok["Location"] == "/clusters/"
    assert client.get("/clusters/").status_code == 200


def test_an_enrolled_user_verifies_each_new_log_in(mfa_on, client, with_password):
    officer = with_password["officer"]
    device = TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=True)
    response = client.post(
        reverse("accounts:login"), {"username": "officer", "password": PASSWORD, "next": "/clusters/"}
    )
    assert response.status_code == 302
    gate = client.get(response["Location"])
    assert gate.status_code == 302 and gate["Location"].startswith(reverse("accounts:mfa_verify"))
    assert client.get("/api/clusters/").json()["code"] == "mfa_required"  # the session API too
    assert client.post(reverse("accounts:mfa_verify"), {"token": "123456"}).status_code == 200
    _after_a_failure(device)
    passed = client.post(reverse("accounts:mfa_verify"), {"token": _code(device), "next": "/clusters/"})
    assert passed.status_code == 302 and passed["Location"] == "/clusters/"
    assert client.get("/clusters/").status_code == 200
    assert client.get("/api/clusters/").status_code == 200


def test_the_next_parameter_cannot_send_elsewhere(mfa_on, client, users):
    device = TOTPDevice.objects.create(user=users["officer"], name="authenticator", confirmed=True)
    client.force_login(users["officer"])
    passed = client.post(
        reverse("accounts:mfa_verify"), {"token": _code(device), "next": "https://evil.example/"}
    )
    assert passed["Location"] == "/"


def test_members_and_reviewers_are_not_asked_for_a_code(mfa_on, client_for, users):
    for role in ("member", "reviewer", "analyst"):
        assert client_for(users[role]).get("/clusters/").status_code == 200


def test_mfa_is_off_when_the_setting_is_off(client_for, users, settings):
    settings.POLES_MFA_REQUIRED = False
    assert client_for(users["officer"]).get("/clusters/").status_code == 200


def test_api_tokens_for_privileged_users_need_a_code(mfa_on, client, with_password):
    url = "/api/token/"
    no_device = client.post(url, {"username": "officer", "password": PASSWORD})
    assert no_device.status_code == 400 and "otp" in no_device.json()["errors"]
    device = TOTPDevice.objects.create(user=with_password["officer"], name="authenticator", confirmed=True)
    no_code = client.post(url, {"username": "officer", "password": PASSWORD})
    assert no_code.status_code == 400 and "otp" in no_code.json()["errors"]
    wrong = client.post(url, {"username": "officer", "password": PASSWORD, "otp": "000000"})
    assert wrong.status_code == 400
    _after_a_failure(device)
    ok = client.post(url, {"username": "officer", "password": PASSWORD, "otp": _code(device)})
    assert ok.status_code == 200, ok.json()
    token = ok.json()["token"]
    assert client.get("/api/clusters/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    # A member needs no code.
    assert client.post(url, {"username": "member", "password": PASSWORD}).status_code == 200
