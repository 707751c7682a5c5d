"""The address of the client a request comes from, also behind a reverse proxy.

``REMOTE_ADDR`` is the direct peer. Behind the documented nginx that is the proxy (127.0.0.1) for
everyone, so the log-in lock and the audit log would see one address for all. ``X-Forwarded-For`` is
believed only when the direct peer is one of ``TRUSTED_PROXIES``: then the list is read from the right,
past every trusted proxy, and the first other address is the client. A client that sends the header
itself gains nothing: an untrusted peer's header is ignored, and a trusted proxy appends (or, as the
documented nginx does, replaces) it.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address as text (see the module), or None without a request."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    peer = _parse(remote) if remote else None
    if peer is None or not networks or not _trusted(peer, networks):
        return remote
    client = peer
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a malformed entry: nothing to its left can be believed
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
