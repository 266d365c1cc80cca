"""CSRF on every form (issue 7, "Security"): a POST without a token is refused, on every URL that accepts POST.

The POST-accepting views are discovered, not listed: each URL pattern of the URL conf (built for real objects by
the URL matrix's table) is sent a POST with CSRF checks off; anything but 405 accepts POST. Each of those must then
answer 403 to the same POST from a client that enforces CSRF and sends no token. The only exceptions are the
bearer-token API operations under ``/api/v1/`` (no cookies, so no CSRF to forge); they are listed explicitly
so a new exemption has to be written down here.
"""

import re

from django.test import Client

from puente.core.tests.test_url_matrix import OBJECT_URLS, UrlMatrixTestCase, fill, patterns

# The routes of the POST operations that are CSRF-exempt by design: django-ninja's bearer-token API. (Routes, not
# names: ninja serves several operations from one URL pattern, named after the first, e.g. list_ + create_.)
API_POSTS = {
    "api/v1/patients",  # create_patient
    "api/v1/episodes",  # create_episode
    "api/v1/patients/<patient_id>/screenings",  # submit
    "api/v1/referrals",  # create_referral
    "api/v1/referrals/<referral_id>/status",  # change_status
    "api/v1/referrals/<referral_id>/outcome",  # record_outcome
}


def kwargs_for(case, name: str, kwargs: list[str]) -> dict:
    """Values for a pattern's kwargs: the matrix's object of the other organization, else something that parses
    (CSRF is checked by the middleware before the view looks anything up)."""
    if name in OBJECT_URLS:
        return {k: str(v) for k, v in OBJECT_URLS[name](case).items()}
    values = {}
    for k in kwargs:
        if k == "pk" or k.endswith("_pk"):
            values[k] = str(case.o_listing.service_id)
        elif k == "token":
            values[k] = "not-a-real-token"
        else:
            values[k] = "phq9"
    return values


class Csrf(UrlMatrixTestCase):
    def post_accepting(self):
        """(route, name, path) of every URL that does not answer 405 to a POST, as the owner of the objects."""
        relaxed = Client()
        relaxed.force_login(self.olga)
        found = []
        for route, name, kwargs in patterns():
            path = fill(route, kwargs_for(self, name, kwargs))
            if relaxed.post(path).status_code != 405:
                found.append((route, name, path))
        return found

    def test_it_refuses_a_post_without_a_token_on_every_view_that_accepts_post(self):
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.olga)
        exempt = set()
        accepting = self.post_accepting()
        for route, name, path in accepting:
            response = strict.post(path, {"anything": "x"})
            if path.startswith("/api/v1/") and response.status_code != 403:
                # Not a CSRF refusal: the API wants its bearer token (cookies are not how it authenticates).
                self.assertEqual(response.status_code, 401, path)
                exempt.add(route)
                continue
            with self.subTest(url=name, path=path):
                self.assertEqual(response.status_code, 403, f"POST {path} without a CSRF token")
        self.assertEqual(exempt, API_POSTS)
        # The discovery found the forms (a sanity floor: far more than the API's handful).
        self.assertGreater(len(accepting) - len(exempt), 50)

    def test_it_refuses_an_anonymous_post_without_a_token_on_the_public_forms(self):
        strict = Client(enforce_csrf_checks=True)
        for name in ("accounts:login", "screening:self", "referrals:checkback", "accounts:set_language"):
            route = next(r for r, n, _k in patterns() if n == name)
            path = fill(route, {"token": "not-a-real-token"})
            with self.subTest(url=name):
                self.assertEqual(strict.post(path, {"email": "a@example.org"}).status_code, 403)

    def test_it_accepts_the_same_post_with_the_token(self):
        """The control: a 403 above is the CSRF check, not something else refusing every POST."""
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(self.olga)
        page = strict.get("/notifications/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
        cookie = strict.cookies["csrftoken"].value if "csrftoken" in strict.cookies else None
        secret = token.group(1).decode() if token else cookie
        self.assertIsNotNone(secret)
        response = strict.post("/notifications/read/", {"csrfmiddlewaretoken": secret})
        self.assertNotEqual(response.status_code, 403)
