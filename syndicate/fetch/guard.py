"""The SSRF guard: which addresses syndicate may contact on a feed's behalf.

A configured source URL is the operator's choice and is always fetched. Any URL
syndicate did not get from the operator (a redirect target, a WebSub hub, a URL
found in content) must resolve to a public address, unless
``allow_private_networks`` is set. :mod:`syndicate.fetch.transport` repeats the
check on the address a socket actually connected to, so a DNS answer that
changes between the check and the connection (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from syndicate.config import Settings
from syndicate.errors import BlockedAddressError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# address properties that make an address non-public (checked in this order, for the message)
_NON_PUBLIC = (
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_unspecified", "unspecified"),
    ("is_reserved", "reserved"),
    ("is_private", "private"),
)


def parse_address(ip: str | IPAddress) -> IPAddress:
    """An address object; IPv4-mapped IPv6 (``::ffff:127.0.0.1``) becomes the IPv4 address."""
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.strip("[]"))
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        ip = ip if ip.scope_id is None else ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    return ip


def address_kind(ip: str | IPAddress) -> str | None:
    """Why ``ip`` is not public (``"loopback"``, ``"private"``, …), or None when it is public."""
    try:
        address = parse_address(ip)
    except ValueError:
        return "invalid"
    for attribute, kind in _NON_PUBLIC:
        if getattr(address, attribute):
            return kind
    if not address.is_global:  # shared address space 100.64/10, documentation ranges, …
        return "non-global"
    return None


def is_public_address(ip: str | IPAddress) -> bool:
    """True for a globally routable unicast address (``93.184.216.34``), False for
    loopback, private, link-local (``169.254.169.254``), multicast, reserved and the like."""
    return address_kind(ip) is None


def url_origin(url: str) -> tuple[str, int | None]:
    """``(host, port)`` of an http(s) URL, lower-cased with the default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return ((parts.hostname or "").lower(), port if port is not None else DEFAULT_PORTS.get(scheme))


def same_host(url: str, other: str) -> bool:
    """Both URLs name the same host and port (the scheme may differ: http → https upgrades)."""
    return url_origin(url) == url_origin(other)


def check_address(ip: str | IPAddress, *, host: str | None = None) -> None:
    """Raise :class:`BlockedAddressError` unless ``ip`` is public (``host``: the name it came from)."""
    kind = address_kind(ip)
    if kind is None:
        return
    article = "an" if kind[0] in "aeiou" else "a"
    what = (
        f"{host} resolves to {kind} address {ip}" if host and host != str(ip) else f"{ip} is {article} {kind} address"
    )
    raise BlockedAddressError(f"refused: {what} (set allow_private_networks = true to allow)")


def check_url_allowed(url: str, settings: Settings) -> None:
    """Raise :class:`BlockedAddressError` when syndicate must not contact ``url``.

    The URL must be http(s); unless ``settings.allow_private_networks``, every
    address its host resolves to must be public. A host that does not resolve is
    not refused here (the connection attempt reports it).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise BlockedAddressError(f"refused: only http and https URLs are fetched, not {scheme or 'a relative URL'!r}")
    host = parts.hostname
    if not host:
        raise BlockedAddressError("refused: the URL has no host")
    if settings.allow_private_networks:
        return
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise BlockedAddressError("refused: the URL has an invalid port") from None
    for address in resolve(host, port):
        check_address(address, host=host)


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself); [] when unknown."""
    try:
        return [str(parse_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return sorted({str(info[4][0]) for info in infos})
