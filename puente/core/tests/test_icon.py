"""Every page names the site's icon, and the icon is a static file that exists: browsers stop asking for a
/favicon.ico that answers 404 on every page."""

import re

from django.contrib.staticfiles import finders
from django.test import TestCase
from django.urls import reverse


class SiteIcon(TestCase):
    def test_the_sign_in_page_links_an_icon_that_exists(self):
        page = self.client.get(reverse("accounts:login")).content.decode()
        found = re.search(r'<link rel="icon" href="/static/([^"]+)"', page)
        self.assertIsNotNone(found, "no icon link on the page")
        self.assertIsNotNone(finders.find(found.group(1)), f"{found.group(1)} is not a static file")
