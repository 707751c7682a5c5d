"""The signed answer link in someone else's session: whose it is is shown, and nothing is recorded in the
expert's name. The expert's own session records the expert as the one who answered."""

import pytest
from django.urls import reverse

from exchanges.cycle.models import InvitationStatus, TimelineEntry
from tests.security.attack_world import csrf_client, world_fixture  # noqa: F401

pytestmark = [pytest.mark.security, pytest.mark.django_db]


def _open_link(world, user=None):
    client, token = csrf_client()
    if user is not None:
        client.force_login(user)
    url = reverse("exchanges:invitation_answer_link", args=[world["own"].token()])
    return client, token, url


@pytest.mark.parametrize("who", ["coordinator", "other_expert", "staff"])
def test_the_link_opened_by_another_signed_in_person_records_nothing(world, who):
    invitation = world["own"].invitation_open
    person = world["foreign"].expert.user if who == "other_expert" else world.users[who]
    client, token, url = _open_link(world, person)

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 403
    assert "Expertin A" in html  # whose link it is
    assert person.email in html  # and who is signed in
    assert "Es wurde nichts gespeichert" in html
    assert reverse("logout") in html  # a way forward: sign out and open the link again
    # only the coordination is shown its own form for answers given elsewhere
    assert (invitation.request.get_absolute_url() in html) == (who == "coordinator")

    answered = client.post(url, {"answer": "accept", "note": "", "csrfmiddlewaretoken": token})
    assert answered.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPEN and invitation.answered_by is None
    assert not TimelineEntry.objects.filter(request=invitation.request, action="invitation_accepted").exists()


def test_the_experts_own_session_records_the_expert_as_the_one_who_answered(world):
    invitation = world["own"].invitation_open
    expert = world["own"].expert.user
    client, token, url = _open_link(world, expert)

    assert client.get(url).status_code == 200
    answered = client.post(url, {"answer": "accept", "note": "", "csrfmiddlewaretoken": token})
    assert answered.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.answered_by == expert and invitation.answer_channel == "link"
    entry = TimelineEntry.objects.get(request=invitation.request, action="invitation_accepted")
    assert entry.actor == expert and entry.on_behalf_of is None


def test_without_a_log_in_the_link_says_whose_invitation_it_is_and_answers(world):
    invitation = world["own"].invitation_open
    client, token, url = _open_link(world)
    page = client.get(url)
    assert page.status_code == 200 and "Expertin A" in page.content.decode()
    client.post(url, {"answer": "decline", "note": "Keine Zeit", "csrfmiddlewaretoken": token})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert invitation.answered_by == world["own"].expert.user
