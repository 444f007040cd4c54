"""Settings for the test suite: production settings, with a throw-away secret and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-" + "k3y" * 20)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from poles.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# security (issue 8): the test client speaks plain HTTP and logs in with force_login, so HTTPS
# redirects and the second factor are off here; the security tests turn them on where they test them.
SECURE_SSL_REDIRECT = False
POLES_MFA_REQUIRED = False

# opendata: the suite makes many anonymous API calls from one address; the throttling test lowers it.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100000/min"}  # noqa: F405
