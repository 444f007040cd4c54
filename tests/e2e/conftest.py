"""Browser journeys: Playwright drives Debian's Chromium against a real `poles runserver`.

The server runs in a subprocess on its own SQLite file holding the tiny demo programme, started
exactly as `make run` does (migrate, demo, runserver, DEBUG on for the demo log-ins).
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ROOT = Path(__file__).resolve().parents[2]
POLES = [sys.executable, "-m", "poles.cli"]


@contextmanager
def running_server(directory: Path, prepare=None, worker: bool = False):
    """A `poles runserver` on its own SQLite file in `directory`, prepared as `make run` does
    (migrate, tiny demo, DEBUG on for the demo log-ins). `prepare(env)` adds data before the server
    starts; yields the URL, what `prepare` returned and the environment (to run commands against the
    server's database); `worker` also starts the background-task worker."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package 'chromium')")
    env = {
        **os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{directory / 'e2e.sqlite3'}",
        "POLES_VAR_DIR": str(directory), "DJANGO_SETTINGS_MODULE": "poles.settings", "PYTHONUNBUFFERED": "1",
    }  # fmt: skip
    env.pop("SECRET_KEY", None)
    subprocess.run([*POLES, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*POLES, "demo", "--scale", "tiny", "--seed", "11"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    prepared = prepare(env) if prepare else None
    port = _free_port()
    log = open(directory / "server.log", "w")  # noqa: SIM115 — closed below
    processes = [subprocess.Popen([*POLES, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, stdout=log,
                                  stderr=log, cwd=ROOT)]  # fmt: skip
    if worker:
        command = [*POLES, "db_worker", "--no-reload", "--interval", "0.5", "--no-startup-delay"]
        processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=ROOT))
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not start; see {directory / 'server.log'}")
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", prepared=prepared, env=env)
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        log.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture(scope="session")
def server(live):
    return live.url


@pytest.fixture(scope="session")
def browser():
    """One Playwright driver and one Chromium for the whole session (Playwright's sync API allows one)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def navigate(page, text: str) -> None:
    """Follow a main-menu entry as a user does: open its section's drop-down, then click the link."""
    link = page.locator("#fr-navigation a", has_text=text).first
    menu = link.locator("xpath=ancestor::div[contains(@class, 'fr-menu')]")
    if menu.count():
        page.click(f"#fr-navigation button[aria-controls={menu.first.get_attribute('id')}]")
    link.click()


def login(page, username: str, password: str = "demo") -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def serious_violations(page) -> list[dict]:
    """axe-core (shipped inside axe-playwright-python) violations of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
