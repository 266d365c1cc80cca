"""The load test's simulated staff (run by `manage.py loadtest`, which writes the plan this file reads).

Each simulated user is one social worker of the generated data set: signs in through the real login form, then
does the daily mix — the dashboard most, patient pages, notes, the directory search, a screening now and then.
No Django import: locust runs as its own process against the served app, over loopback only.
"""

import json
import os
import random
import threading
import uuid

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["PUENTE_LOADTEST_PLAN"]).read())  # noqa: SIM115, PTH123
_next = iter(range(10**9))
_lock = threading.Lock()

PHQ9 = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3"]


# Seconds between one person's pages (``loadtest --think``): 1–4 by default, a stress pace (a person reads and
# types for far longer between pages); a slower pace models a working day.
THINK = tuple(float(x) for x in PLAN.get("think", (1, 4)))


class SocialWorker(HttpUser):
    wait_time = between(*THINK)  # a person reading a page, not a script hammering

    def on_start(self):
        with _lock:
            self.me = PLAN["staff"][next(_next) % len(PLAN["staff"])]
        self.client.get("/accounts/login/", name="login form")
        self._check(
            self.client.post,
            "/accounts/login/",
            {
                "username": self.me["email"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            name="sign in",
        )

    def _check(self, method, url, *args, name, **kwargs):
        """A request that fails unless it ends on a 200 page other than the sign-in form (a lost session
        would otherwise count as a success: the login page answers 200)."""
        with method(url, *args, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                # No status at all: the connection failed; name how (reset, refused, timed out).
                cause = f" {type(response.error).__name__}: {response.error}" if response.status_code == 0 else ""
                response.failure(f"HTTP {response.status_code}{cause}"[:200])
            elif "/accounts/login/" in response.url:
                response.failure("signed out")
            else:
                response.success()

    def _get(self, url, name, **kwargs):
        self._check(self.client.get, url, name=name, **kwargs)

    def _patient(self) -> str:
        return random.choice(self.me["patients"])  # noqa: S311 - a simulation

    @task(8)
    def dashboard(self):
        self._get("/dashboard/", "dashboard")

    @task(6)
    def patient_page(self):
        self._get(f"/patients/{self._patient()}/", "patient page")

    @task(3)
    def notes(self):
        self._get(f"/patients/{self._patient()}/notes/", "progress notes")

    @task(2)
    def directory(self):
        query = {"need": "food-insecurity", "zip": "87102", "radius": "15", "language": "es", "q": "food"}
        self._get("/directory/", "directory search", params=query)

    @task(2)
    def patient_list(self):
        self._get("/patients/", "patient list")

    @task(1)
    def referrals(self):
        self._get("/referrals/", "referral list")

    @task(1)
    def screening(self):
        patient = self._patient()
        url = f"/patients/{patient}/screenings/new/phq9/"
        self._get(url, "screening form")
        answers = {f"q:{code}": "LA6569-3" for code in PHQ9} | {"q:44260-8": "LA6568-5", "q:69722-7": "LA6573-5"}
        token = self.client.cookies.get("csrftoken", "")
        data = answers | {"mode": "in_person", "idempotency_key": uuid.uuid4().hex, "csrfmiddlewaretoken": token}
        self._check(self.client.post, url, data, headers={"X-CSRFToken": token}, name="screening submit")
