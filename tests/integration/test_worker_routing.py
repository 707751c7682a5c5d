"""The three real examples of the network, routed by a real Celery worker through Redis on PostgreSQL."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest, RoutingDecision, Status
from tests.conftest import wait_for
from tests.exchanges.services.test_routing import REAL_EXAMPLES, submitted_request

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_real_examples_are_routed_by_the_worker(client, celery_worker_process):
    call_command("load_demo", stdout=io.StringIO())
    for email, title, need, topics, expected in REAL_EXAMPLES:
        request = submitted_request(email, title, need, topics)
        contact = User.objects.city_contacts(request.requester_city_id).get()
        client.force_login(contact)

        response = client.post(
            reverse("exchanges:request_action", args=[request.pk, "accept"]),
            {"accept-expected_status": "submitted"},
        )
        assert response.status_code == 302

        wait_for(lambda r=request: ExchangeRequest.objects.get(pk=r.pk).status == Status.MATCHING, timeout=60)
        routed = {
            (d.department.city.name, d.department.name)
            for d in RoutingDecision.objects.filter(request=request, is_routed=True).select_related(
                "department__city"
            )
        }
        assert expected <= routed, (title, routed)
        reasons = RoutingDecision.objects.filter(request=request, is_routed=True).first().reasons
        assert reasons, title
    assert "route_request_task" in celery_worker_process.log()
