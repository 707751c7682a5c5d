"""The demo's console e-mails are readable: decoded subject, every link on a line of its own."""

import io

from django.core.mail import EmailMessage

from koopstadt.development.console_email import EmailBackend, links_on_own_lines
from koopstadt.plain_text import render_plain


def test_a_console_email_shows_the_decoded_subject_and_each_link_on_its_own_line():
    stream = io.StringIO()
    message = EmailMessage(
        subject="Würden Sie coachen? C+R-Anfrage CR-2026-0006: Genossenschaftliches Wohnen fördern",
        body="Bitte antworten Sie über diesen Link: http://127.0.0.1:8123/einladung/abc:def/ (14 Tage gültig)\n\nDanke",
        from_email="koopstadt C+R <cr-portal@example.org>",
        to=["birgit.koch@example.org"],
    )
    message.attach("termin.ics", "BEGIN:VCALENDAR", "text/calendar")

    assert EmailBackend(stream=stream).send_messages([message]) == 1

    lines = stream.getvalue().splitlines()
    assert (
        "Subject: Würden Sie coachen? C+R-Anfrage CR-2026-0006: Genossenschaftliches Wohnen fördern" in lines
    )
    assert "To: birgit.koch@example.org" in lines and "Attachments: termin.ics" in lines
    assert "http://127.0.0.1:8123/einladung/abc:def/" in lines  # alone on its line, ready to copy
    assert "Bitte antworten Sie über diesen Link:" in lines and "(14 Tage gültig)" in lines
    assert "=?utf-8?" not in stream.getvalue()


def test_text_without_links_stays_as_it_is():
    text = "Hallo Anna,\n\nalles gut.\n"
    assert links_on_own_lines(text) == "Hallo Anna,\n\nalles gut."


def test_every_email_template_may_name_the_portal_and_the_network(settings):
    settings.PORTAL_NAME = "Städtenetz C+R"
    settings.NETWORK_NAME = "Städtenetz"
    body = render_plain("registration/password_reset_email.html", {"user": None, "reset_url": "http://x/"})
    assert "im Portal Städtenetz C+R zurückzusetzen" in body and "Ihre Städtenetz-Koordination" in body
