"""The Content-Security-Policy holds in a real browser: pages keep working with no inline script or style.

Every browser test fails on a CSP violation (puente/conftest.py); this one covers the operator's admin site,
which no other browser test opens, and checks that the header is really sent.
"""

import pytest

from puente.accounts.models import Role
from puente.core.testing import make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_policy_is_sent_and_the_admin_site_works_under_it(page, live_server):
    org = make_org()
    admin = make_user(org, role=Role.ADMIN, name="Ada Admin", is_staff=True, is_superuser=True)
    response = page.goto(f"{live_server.url}/admin/login/")
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill("correct horse battery")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/accounts/user/")
    assert page.get_by_role("link", name=admin.email).count() >= 1
    page.goto(f"{live_server.url}/admin/accounts/user/{admin.pk}/change/")
    assert page.get_by_label("Email").input_value() == admin.email
