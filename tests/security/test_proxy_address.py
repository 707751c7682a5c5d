"""The client address behind a reverse proxy: X-Forwarded-For is believed only from a trusted proxy, read
from the right, and nobody can choose the address the log-in lock, the audit log or the throttle see.
(The lock and the delay themselves: tests/koopstadt/test_login_security.py.)"""

import pytest
from django.test import RequestFactory

from cities.operations.audit import client_ip

pytestmark = pytest.mark.security


def _request(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        # the documented nginx replaces the header with the client's address
        (["127.0.0.1", "::1"], "127.0.0.1", "203.0.113.7", "203.0.113.7"),
        (["127.0.0.1", "::1"], "::1", "2001:db8::7", "2001:db8::7"),
        # a client that sends its own header through a proxy that appends: the proxy's entry counts
        (["127.0.0.1"], "127.0.0.1", "10.66.66.66, 203.0.113.7", "203.0.113.7"),
        # two trusted proxies in a row (a load balancer in front of nginx)
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "203.0.113.7, 10.1.2.3", "203.0.113.7"),
        # only trusted proxies in the chain: the leftmost one is the best there is
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "10.1.2.3", "10.1.2.3"),
        # ports and brackets as some proxies write them; IPv4 mapped into IPv6
        (["127.0.0.1"], "127.0.0.1", "203.0.113.7:51234", "203.0.113.7"),
        (["127.0.0.1"], "127.0.0.1", "[2001:db8::7]:443", "2001:db8::7"),
        (["127.0.0.1"], "::ffff:127.0.0.1", "203.0.113.7", "203.0.113.7"),
        # garbage stops the walk: nothing left of it is believed
        (["127.0.0.1"], "127.0.0.1", "203.0.113.7, <script>", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", None, "127.0.0.1"),
        # the header from anyone who is not a trusted proxy is ignored
        (["127.0.0.1"], "192.0.2.50", "198.51.100.20", "192.0.2.50"),
        ([], "127.0.0.1", "198.51.100.20", "127.0.0.1"),
    ],
)
def test_the_client_address_is_read_from_the_right_past_trusted_proxies(
    settings, trusted, peer, forwarded, client
):
    settings.TRUSTED_PROXIES = trusted
    assert client_ip(_request(peer, forwarded)) == client


def test_the_api_throttle_cannot_be_dodged_with_a_made_up_header(settings):
    """DRF's own get_ident believes any X-Forwarded-For; the portal's throttle asks client_ip."""
    from rest_framework.request import Request

    from exchanges.api.throttling import ApiRateThrottle

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    throttle = ApiRateThrottle()
    keys = {
        throttle.get_cache_key(Request(_request("192.0.2.50", f"198.51.100.{n}")), view=None)
        for n in range(5)
    }
    assert keys == {"throttle_api_address-192.0.2.50"}
