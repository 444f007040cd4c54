"""Production settings fail fast on a missing or weak secret and on missing hosts."""

import os
import subprocess
import sys

import pytest

SCRIPT = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='poles.settings'; django.setup(); print('ok')"
)


def _start(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT], env={**clean, **env}, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "poles.example"}, "SECRET_KEY is not set"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "poles.example", "SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "poles.example", "SECRET_KEY": "a" * 60}, "SECRET_KEY is too weak"),
        (
            {"DEBUG": "0", "SECRET_KEY": "k9#Lq2!vT7@xW4$zR8&nB1^mC6*pD3(fH5)jK0_sY" * 2},
            "ALLOWED_HOSTS is not set",
        ),
        ({"DEBUG": "maybe"}, "DEBUG must be 0 or 1"),
    ],
)
def test_start_up_refuses(env, message):
    result = _start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_start_up_accepts_a_strong_secret():
    result = _start(
        DEBUG="0", ALLOWED_HOSTS="poles.example", SECRET_KEY="k9#Lq2!vT7@xW4$zR8&nB1^mC6*pD3(fH5)jK0_sY" * 2
    )
    assert result.returncode == 0, result.stderr
