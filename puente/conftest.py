"""Browser-test fixtures: Debian Chromium for pytest-playwright, axe-core checks, signing in through the form.

Only the browser tests (marked ``browser``) use these; the root conftest.py holds what every test shares.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
PASSWORD = "correct horse battery"  # what puente.core.testing.make_user gives every user


def pytest_collection_finish(session):
    """Playwright's sync API keeps an event loop running in the test thread from its start to the end of the
    session, so Django would refuse every ORM call after it (SynchronousOnlyOperation), in browser tests and
    in any test that runs after them. Lift Django's check only when browser tests are going to run."""
    if any(item.get_closest_marker("browser") for item in session.items):
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a Playwright-downloaded browser (`playwright install` is not used here)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make install-test` (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            lines.append(f"    at {target}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n         ")
            if summary:
                lines.append(f"       {summary}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def check_axe(page, label: str = "") -> list[dict]:
    """Run axe-core on the current page; fail on any serious or critical violation.

    Returns every violation found (lesser ones included) so a test can report them if it wants.
    """
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm install` (axe-core is in package.json)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not as a <script> tag: the app's Content-Security-Policy
        # (rightly) refuses inline scripts, and the tests keep it on.
        page.evaluate(AXE_JS.read_text() + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = result["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    where = label or page.url
    if violations:
        print(f"\naxe on {where}:\n{_describe(violations)}")
    assert not blocking, f"axe found serious/critical accessibility violations on {where}:\n{_describe(blocking)}"
    return violations


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(request):
    """A browser test fails if any page it opened broke the Content-Security-Policy (an inline script or
    style, an eval, a resource from elsewhere): the browser reports each one on the console."""
    if not request.node.get_closest_marker("browser") or "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    yield
    assert not seen, "Content-Security-Policy violations:\n" + "\n".join(seen)


@pytest.fixture
def axe() -> Callable:
    """``axe(page, "label")``: run axe-core on the page and fail on serious or critical violations."""
    return check_axe


@pytest.fixture
def login(live_server) -> Callable:
    """``login(page, user)``: sign in through the real login form and wait for the landing page."""

    def _login(page, user, password: str = PASSWORD, check_a11y: bool = False):
        page.goto(f"{live_server.url}/accounts/login/")
        if check_a11y:
            check_axe(page, "login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert "/accounts/login/" not in page.url, f"sign-in failed for {user.email}: still on {page.url}"
        return page

    return _login
