"""The person's address behind a reverse proxy (pure).

Only a peer listed in ARENA_TRUSTED_PROXIES may speak for the client: its X-Forwarded-For is read
from the right, skipping our own proxies, and the first other address is the client. Anyone
else's header is ignored, or a visitor could pick a fresh address per login attempt.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str | None:
    """The address to act on: the peer's own unless the peer is a trusted proxy."""
    if not peer or not forwarded_for or not trusted:
        return peer
    nets = networks(trusted)
    if not _trusted(peer, nets):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, nets):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header: keep what we know
    return hops[0] if hops else peer
