"""The pages of the reliability and security work in Chromium, with axe: lock-out, failed tasks, own data."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cities.operations.models import AuditEvent, FailedTask
from koopstadt.development.demo_data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_too_many_wrong_passwords_lock_the_log_in_with_a_german_message(portal, demo, settings):
    page = portal.page
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        page.goto(portal.base_url + "/konto/anmelden/")
        page.get_by_label("E-Mail-Adresse").fill("anna.schmidt@example.org")
        page.get_by_label("Passwort").fill("falsch-geraten")
        page.get_by_role("button", name="Anmelden").click()
    portal.check("locked-out")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung vorübergehend gesperrt")
    expect(page.get_by_role("alert")).to_contain_text("gesperrt")

    # even the right password is refused now
    page.goto(portal.base_url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("anna.schmidt@example.org")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung vorübergehend gesperrt")
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT).exists()


def test_a_coordinator_retries_a_failed_task_from_the_page(portal, demo):
    FailedTask.objects.create(
        task_id="demo-failed-1",
        task_name="cities.tasks.send_email_task",
        args=[999999],
        exception="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    page = portal.page
    portal.log_in("koordination@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Betrieb").click()
    portal.check("operations")
    page.get_by_role("main").get_by_role("link", name="Fehlgeschlagene Aufgaben").click()
    portal.check("failed-tasks")
    expect(page.get_by_role("table")).to_contain_text("SMTPServerDisconnected")
    expect(page.get_by_text("1 Aufgabe wartet auf eine Entscheidung.")).to_be_visible()
    page.get_by_role("button", name="Wiederholen").click()
    portal.check("failed-task-retried")
    task = FailedTask.objects.get(task_id="demo-failed-1")
    assert task.state == FailedTask.State.RETRIED and task.handled_by.email == "koordination@example.org"


def test_a_person_downloads_their_own_data_from_the_profile(portal, demo, tmp_path):
    page = portal.page
    portal.log_in("jonas.fischer@example.org", DEMO_PASSWORD)
    portal.goto("/konto/profil/", "profile")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="JSON", exact=False).click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert "jonas.fischer@example.org" in json.dumps(data, ensure_ascii=False)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="HTML", exact=False).click()
    html = Path(download_info.value.path()).read_text(encoding="utf-8")
    # the downloaded page is readable on its own and accessible too
    page.set_content(html)
    portal.check("own-data-html")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "Jonas Fischer" in html
