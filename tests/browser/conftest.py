import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()
ALL_SCREENSHOTS = os.environ.get("KOOPSTADT_SCREENSHOTS") == "1"


class PortalBrowser:
    """A page that runs axe-core on every page it lands on and saves a screenshot of it."""

    def __init__(self, page: Page, base_url: str, name: str) -> None:
        self.page = page
        self.base_url = base_url
        self.name = name
        self.visited: list[str] = []

    def check(self, label: str) -> None:
        """axe on the page and exactly one h1. A page that fails is saved as a screenshot (every page with
        KOOPSTADT_SCREENSHOTS=1; the start-page and navigation tests save theirs always)."""
        self.page.wait_for_load_state("load")
        # A list that htmx is still updating is dimmed (static/css/koopstadt.css): check what it settles to.
        expect(self.page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
        results = _axe.run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        headings = self.page.locator("h1").count()
        if ALL_SCREENSHOTS or results.violations_count or headings != 1:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{len(self.visited):02d}-{label}".lower())
            self.page.screenshot(path=str(ARTIFACTS / f"{slug}.png"), full_page=True)
        assert results.violations_count == 0, f"{label} ({self.page.url}):\n{results.generate_report()}"
        assert headings == 1, f"{label}: a page needs exactly one h1"
        self.visited.append(self.page.url)

    def goto(self, path: str, label: str) -> None:
        self.page.goto(self.base_url + path)
        self.check(label)

    def log_in(self, email: str, password: str) -> None:
        self.goto("/konto/anmelden/", "login")
        self.page.get_by_label("E-Mail-Adresse").fill(email)
        self.page.get_by_label("Passwort").fill(password)
        self.page.get_by_role("button", name="Anmelden").click()
        self.check("start")


@pytest.fixture
def portal(page: Page, live_server, request) -> PortalBrowser:
    return PortalBrowser(page, live_server.url, request.node.name)
