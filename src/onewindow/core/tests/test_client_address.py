"""One client address for every limit and audit row: REMOTE_ADDR unless it is a trusted
proxy, then the right-most untrusted hop of X-Forwarded-For."""

import pytest
from django.test import RequestFactory, override_settings

from onewindow.core.client import client_address


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_a_forwarded_header_is_never_believed():
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    assert client_address(None) == ""


@override_settings(TRUSTED_PROXIES=["10.0.0.5", "10.1.0.0/16"])
@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # The proxy adds the client it saw: that one counts.
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        # A client writing its own header cannot choose its address: the right-most untrusted
        # hop is the one the proxy saw.
        ("10.0.0.5", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Two trusted proxies in a row are walked past.
        ("10.0.0.5", "198.51.100.7, 10.1.2.3", "198.51.100.7"),
        # Not from a trusted proxy: its header is ignored.
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),
        # A proxy that sent no header, or garbage: the proxy's own address.
        ("10.0.0.5", None, "10.0.0.5"),
        ("10.0.0.5", "unknown", "10.0.0.5"),
        # Every hop trusted: the left-most seen.
        ("10.0.0.5", "10.1.0.1", "10.1.0.1"),
        ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client(
    remote, forwarded, client
):
    assert client_address(request(remote, forwarded)) == client
