"""The error summary every form page shares (templates/includes/form_errors.html): each message once, the
summary focusable and focused by a script of the portal's own (the strict CSP allows no inline script)."""

import re

from django.urls import reverse

MESSAGE = "Die E-Mail-Adresse oder das Passwort ist nicht richtig."


def test_a_non_field_error_is_shown_once_in_the_summary(client, staff_user):
    response = client.post(reverse("login"), {"username": staff_user.email, "password": "falsch"})

    html = response.content.decode()
    assert html.count(MESSAGE) == 1  # crispy-forms' own box does not repeat it
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S).group(0)
    assert MESSAGE in summary
    assert 'tabindex="-1" id="error-summary"' in summary
    assert '<script src="/static/js/error-summary.js" defer></script>' in html


def test_a_page_without_errors_loads_no_error_summary_script(client):
    html = client.get(reverse("login")).content.decode()

    # Every page loads htmx and the disclosure buttons' script; the summary's own only comes with errors.
    assert "error-summary" not in html and "js/error-summary.js" not in html
