"""Production settings: `poles check --deploy` is clean, HTTPS and CSP headers are sent, no
template runs an inline script (the CSP forbids them)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

pytestmark = pytest.mark.database_agnostic

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k9#Lq2!vT7@xW4$zR8&nB1^mC6*pD3(fH5)jK0_sY" * 2


def _deploy_check(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")
        and not k.startswith("SECURE_")
    }
    return subprocess.run(
        [sys.executable, "-m", "poles.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "poles.settings", **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_a_production_environment():
    result = _deploy_check(DEBUG="0", SECRET_KEY=STRONG, ALLOWED_HOSTS="poles.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_check_deploy_complains_when_hsts_is_turned_off():
    """The check above can fail: weakening one setting through the environment is reported."""
    result = _deploy_check(
        DEBUG="0", SECRET_KEY=STRONG, ALLOWED_HOSTS="poles.example", SECURE_HSTS_SECONDS="0"
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_production_defaults_are_secure(settings):
    from django.conf import settings as live

    # The test settings only switch off the HTTPS redirect (the test client speaks plain HTTP).
    assert live.SESSION_COOKIE_SECURE and live.CSRF_COOKIE_SECURE and live.SESSION_COOKIE_HTTPONLY
    assert live.SECURE_HSTS_SECONDS >= 31_536_000
    assert live.X_FRAME_OPTIONS == "DENY"
    assert not live.DEBUG


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_but_healthz_answers(client, db):
    response = client.get("/clusters/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_proxy_the_forwarded_protocol_is_trusted(client, db):
    response = client.get("/clusters/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_pages_carry_a_csp_without_inline_scripts(client, db):
    response = client.get("/clusters/minalogic/")
    policy = response["Content-Security-Policy"]
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    assert (
        "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    )
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
_JS_URL = re.compile(r"href=[\"']javascript:", re.I)


def _offences(text: str) -> list[str]:
    return [m.group(0) for pattern in (_INLINE_SCRIPT, _HANDLER, _JS_URL) for m in pattern.finditer(text)]


def test_the_scanner_finds_inline_scripts():
    assert _offences('<script>alert(1)</script><a onclick="x()">') == ["<script>", ' onclick="']
    assert _offences('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []


def test_no_template_holds_an_inline_script_or_event_handler():
    found = {
        str(path.relative_to(ROOT)): _offences(path.read_text())
        for path in (ROOT / "poles").rglob("*.html")
        if _offences(path.read_text())
    }
    assert not found, found


@pytest.mark.parametrize(
    "url", ["/", "/clusters/minalogic/", "/en/organisations/", "/api/docs/", "/api/redoc/", "/admin/login/"]
)
def test_rendered_pages_hold_no_inline_script(url, client, db):
    response = client.get(url)
    assert response.status_code == 200
    assert not _offences(response.content.decode())
