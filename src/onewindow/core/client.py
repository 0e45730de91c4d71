"""The address of the client a request came from, the one rule every limit and audit row uses.

Without configuration it is ``REMOTE_ADDR``: a client-supplied ``X-Forwarded-For`` is never
believed. Behind a reverse proxy (nginx, a load balancer terminating TLS), list the proxies in
``TRUSTED_PROXIES`` (addresses or networks, e.g. ``10.0.0.5,10.1.0.0/16``): when the request
comes from one of them, the client is the right-most address in ``X-Forwarded-For`` that is not
itself a trusted proxy — the left part of the header is whatever the client wrote and is not
trusted. An entry that is not an IP address ends the walk (the proxy's own address is used).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def from_trusted_proxy(request: HttpRequest | None) -> bool:
    """True when the request's peer (``REMOTE_ADDR``) is one of ``TRUSTED_PROXIES``: only then
    are the headers a proxy sets (``X-Forwarded-For``, ``X-Request-ID``) believed."""
    if request is None:
        return False
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    return bool(networks) and _trusted(str(request.META.get("REMOTE_ADDR", "") or ""), networks)


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address as text; ``""`` when there is no request or no address."""
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    client = remote
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        client = hop
        if not _trusted(hop, networks):
            break
    return client


def counted_address(address: str) -> str:
    """The form of a client address that limits count by: an IPv6 address by its /64 network
    (one household or customer holds a whole /64), an IPv4-mapped IPv6 address as IPv4; text
    that is not an address as it is."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)
