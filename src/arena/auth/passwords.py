"""Password hashing with argon2id (argon2-cffi's recommended parameters).

A hash or a verification is ~50 ms of CPU and 64 MiB: requests use the `_in_thread` forms, which
run it off the event loop a few at a time (arena.offload.PASSWORDS); the plain forms are for the
command line and the demo loader.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from arena import offload

_hasher = PasswordHasher()

# Verified against when the username is unknown, so that response time does not reveal
# which usernames exist.
_DUMMY_HASH = _hasher.hash("arena-no-such-user")

MIN_LENGTH = 8
INITIAL_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def initial_password(length: int = 12) -> str:
    """A random initial password an admin hands over (shown once, never stored in clear):
    12 characters from 55 unambiguous ones, about 69 bits."""
    return "".join(secrets.choice(INITIAL_ALPHABET) for _ in range(length))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


async def hash_in_thread(password: str) -> str:
    return await offload.run(offload.PASSWORDS, hash_password, password)


async def verify_in_thread(password_hash: str | None, password: str) -> bool:
    return await offload.run(offload.PASSWORDS, verify_password, password_hash, password)
