import re

import pytest
from django.core import mail
from django.urls import reverse

from cities.directory.roles import Role
from cities.mail.models import OutgoingEmail
from tests.cities.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_the_german_log_in_page(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"

    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en-US,en")
    html = page.content.decode()
    assert '<html lang="de">' in html
    assert "Anmeldung im C+R-Portal" in html
    assert "E-Mail-Adresse" in html


def test_wrong_log_in_data_gives_a_german_message_and_keeps_the_address(client, staff_user):
    response = client.post(reverse("login"), {"username": staff_user.email, "password": "falsch"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Die E-Mail-Adresse oder das Passwort ist nicht richtig" in html
    assert f'value="{staff_user.email}"' in html
    assert "_auth_user_id" not in client.session


def test_log_in_by_email_in_any_case_leads_to_the_start_page(client):
    user = UserFactory(email="anna@example.org", display_name="Anna Schmidt", roles=[Role.STAFF])
    response = client.post(
        reverse("login"), {"username": "Anna@Example.org", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Willkommen, Anna Schmidt" in response.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_deactivated_account_cannot_log_in(client):
    user = UserFactory(is_active=False)
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "nicht richtig" in response.content.decode()


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([Role.STAFF], "Ihre Anfragen und Austausche"),
        ([Role.CITY_CONTACT], "Anfragen aus "),
        ([Role.DEPARTMENT_LIAISON], "Anfragen an "),
        ([Role.COORDINATOR], "Zur Triage"),
        ([Role.EXPERT], "Ihre Einladungen als Expertin oder Experte"),
        ([Role.FINANCE], "Zur Freigabeliste"),
    ],
)
def test_each_role_sees_its_own_start_page(client, roles, expected):
    user = UserFactory(department=DepartmentFactory(), roles=roles)
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert expected in html
    # the technical pages (administration, failed tasks) sit under "Betrieb", for coordinators only
    assert (">Betrieb</a>" in html) is (Role.COORDINATOR in roles)


def test_log_out_needs_post_and_ends_the_session(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, staff_user):
    client.force_login(staff_user)
    bad = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert "Bitte korrigieren Sie" in bad.content.decode()

    good = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Neues-Passwort-2026!",
            "new_password2": "Neues-Passwort-2026!",
        },
    )
    assert good.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password("Neues-Passwort-2026!")


def test_password_reset_by_email_in_the_users_language(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="reset@example.org", preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "reset@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your password for the portal koopstadt C+R"
    link = re.search(r"http://127.0.0.1:8000(/konto/passwort-neu/\S+)", message.body).group(1)
    assert OutgoingEmail.objects.get(recipient=user).body == ""  # the link is not kept once sent

    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Ganz-neues-Passwort-1", "new_password2": "Ganz-neues-Passwort-1"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Ganz-neues-Passwort-1")


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "niemand@example.org"}, follow=True)
    assert "Bitte prüfen Sie Ihr E-Mail-Postfach" in response.content.decode()
    assert mail.outbox == []


def test_profile_page(client):
    department = DepartmentFactory(name="Stadtplanungsamt")
    user = UserFactory(department=department, roles=[Role.CITY_CONTACT, Role.STAFF])
    client.force_login(user)
    html = client.get(reverse("profile")).content.decode()
    assert user.email in html
    assert "Stadtplanungsamt" in html
    assert "koopstadt-Ansprechperson" in html


def test_the_reset_link_is_built_from_site_url_not_from_the_host_header(
    client, settings, django_capture_on_commit_callbacks
):
    """A forged Host must not send a genuine reset token to the forger's server."""
    settings.SITE_URL = "https://cr.example.org"
    settings.ALLOWED_HOSTS = ["*"]  # even where the host check lets a forged name through
    UserFactory(email="reset@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "reset@example.org"}, HTTP_HOST="attacker.example")

    body = mail.outbox[0].body
    assert "attacker.example" not in body
    assert re.search(r"^https://cr\.example\.org/konto/passwort-neu/\S+/\S+/$", body, flags=re.MULTILINE)
