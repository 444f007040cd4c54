"""Shared machinery of the calls and projects page tables (the project's tests/test_pages.py pattern).

Each table maps a named page to a URL builder and the status each role gets, in both languages.
"""

from __future__ import annotations

from django.urls import get_resolver
from django.utils import translation

ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]
OK, LOGIN, DENIED, HIDDEN = 200, 302, 403, 404
ALL_OK = dict.fromkeys(ROLES, OK)


def only(allowed: set[str], otherwise: int, anonymous: int = LOGIN, **exceptions: int) -> dict[str, int]:
    """`allowed` roles get 200, the anonymous visitor `anonymous`, the others `otherwise` (or an exception)."""
    table = {role: OK if role in allowed else otherwise for role in ROLES}
    table["anonymous"] = anonymous
    table.update(exceptions)
    return table


def names_of(namespace: str) -> set[str]:
    """Every named URL of a namespace, e.g. "calls:detail"."""
    from django.urls import URLResolver

    found = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace is None:
            for sub in pattern.url_patterns:
                if isinstance(sub, URLResolver) and sub.namespace == namespace:
                    found |= {f"{namespace}:{p.name}" for p in sub.url_patterns if getattr(p, "name", None)}
    return found


def check(pages, name, role, language, users, client_for):
    url_of, expected = pages[name]
    with translation.override("fr"):
        url = url_of(users)
    if language == "en":
        url = "/en" + url
    response = client_for(users[role]).get(url)
    assert response.status_code == expected[role], f"{url} as {role}: {response.status_code}"
    if response.status_code == OK and response.get("Content-Type", "").startswith("text/html"):
        assert f'lang="{language}"' in response.content.decode()
    return response
