"""Ports for the servers the bench and the tests start on this machine, claimed so that no two
servers ever share one.

Granian binds with SO_REUSEPORT. A second server started on a port that still looked free (a plain
bind succeeds while the first server is starting) joins the first one's group, and the kernel then
splits connections between two different servers: one test's requests are answered by another
test's node. So a port is claimed by binding a name of its own in Linux's abstract socket namespace
(one holder on the machine, whatever its user or temporary directory), before the port is checked,
and held until the server answers on it: by then its socket is bound, and a plain bind by anyone
else fails. The name goes with the process that holds it, however that ends."""

from __future__ import annotations

import contextlib
import random
import socket
from collections.abc import Iterator

PORTS = range(8200, 8300)
HOST = "127.0.0.1"


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _claim(port: int) -> socket.socket | None:
    """A socket holding this port's claim, or None when another process holds it."""
    claim = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        claim.bind(f"\0arena-port-{port}")
    except OSError:
        claim.close()
        return None
    return claim


@contextlib.contextmanager
def claimed(count: int = 1, ports: range = PORTS) -> Iterator[list[int]]:
    """`count` free ports, in random order, that no other claimant can take until the block ends:
    start the servers inside it and leave it once they answer."""
    held: list[tuple[int, socket.socket]] = []
    try:
        for port in random.sample(list(ports), len(ports)):
            if len(held) == count:
                break
            claim = _claim(port)
            if claim is None:
                continue
            if _bindable(port):
                held.append((port, claim))
            else:
                claim.close()
        if len(held) < count:
            raise RuntimeError(f"fewer than {count} free ports in {ports.start}–{ports.stop - 1}")
        yield [port for port, _ in held]
    finally:
        for _, claim in held:
            claim.close()
