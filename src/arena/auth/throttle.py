"""Counting wrong passwords so that guessing is slow but a lockout is not a weapon (issue 3, 19).

Every password entry — a login, re-entering the password to sign a commitment (军令状) or to
change it — is one attempt at an account from an address, and a wrong one counts on three
rows of `LoginThrottle`:

- the pair ("pair:ADDRESS NAME"): a growing delay after `SLOW_AFTER` failures, then this
  address may not try this account for `LOCK_FOR` — even with the right password;
- the address ("addr:ADDRESS"): after `ADDRESS_LOCK_AFTER` failures at any accounts, the
  address may not try any account for `LOCK_FOR`;
- the account ("user:NAME"): never locked, only slowed. After `ACCOUNT_SLOW_AFTER` failures from
  anywhere, an address that has itself failed at this account more than
  `OWN_FAILURES_FORGIVEN` times may try it once per `ACCOUNT_PAUSE` (shared by all such
  addresses). That bounds a guesser with many addresses, while the owner — from an address
  that has not been guessing — logs in at once, whatever strangers do elsewhere.

So failures from address B never lock the account for address A: a stranger cannot keep an
inspector or an expert out on the last day of review. The rows live in the database, so every
app process on every machine counts the same failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import LoginThrottle
from arena.clock import to_display
from arena.db import dialect_insert
from arena.i18n import gettext as _

SLOW_AFTER = 3
PAIR_LOCK_AFTER = 5
ADDRESS_LOCK_AFTER = 20
ACCOUNT_SLOW_AFTER = 10
OWN_FAILURES_FORGIVEN = 1  # one typo of the owner's own does not put them behind strangers
ACCOUNT_PAUSE = timedelta(seconds=15)
LOCK_FOR = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(minutes=15)


@dataclass
class Attempt:
    """The three counters one password entry touches, read when it began."""

    pair: LoginThrottle
    account: LoginThrottle
    address: LoginThrottle
    now: datetime


@dataclass(frozen=True)
class Failure:
    """A counted wrong password: `refusal` when it locked the pair or the address (the
    message to show instead of "wrong password"), else how many failures are `left`."""

    refusal: str | None
    left: int


def keys(username: str, address: str | None) -> tuple[str, str, str]:
    """(pair, account, address) keys; usernames are at most 64 characters, so cutting longer
    typed names only merges counters of accounts that cannot exist."""
    name, where = username.strip().lower(), (address or "unknown")[:64]
    return f"pair:{where} {name[:90]}", f"user:{name[:150]}", f"addr:{where}"


async def begin(db: AsyncSession, username: str, address: str | None, now: datetime) -> Attempt:
    """Create the rows that are missing and read them. Two first attempts at once (two app
    processes) must not both insert a row: the insert yields to whichever came first (keys in
    sorted order, so two such inserts never wait on each other in a circle). The pair row is
    read under a row lock (PostgreSQL; SQLite writers are serial anyway) and held to the end
    of the transaction, so parallel guesses at one account from one address are decided one
    after another and a burst cannot slip past the limit; other addresses never wait on it."""
    pair_key, account_key, address_key = keys(username, address)
    await db.execute(dialect_insert(db, LoginThrottle).values(
        [{"key": key, "failures": 0, "created_at": now, "updated_at": now}
         for key in sorted((pair_key, account_key, address_key))]).on_conflict_do_nothing(index_elements=["key"]))
    pair = await db.scalar(select(LoginThrottle).where(LoginThrottle.key == pair_key).with_for_update()
                           .execution_options(populate_existing=True))
    rows = {row.key: row for row in await db.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_((account_key, address_key)))
        .execution_options(populate_existing=True))}
    assert pair is not None
    return Attempt(pair=pair, account=rows[account_key], address=rows[address_key], now=now)


def recent_failures(row: LoginThrottle, now: datetime) -> int:
    """Failures within the window; older ones are forgotten."""
    if row.last_failure_at is None or now - row.last_failure_at > FAILURE_WINDOW:
        return 0
    return row.failures


def _seconds_until(ready: datetime, now: datetime) -> int:
    return max(1, int((ready - now).total_seconds() + 0.999))


def _until(moment: datetime) -> str:
    shown = to_display(moment)
    return shown.strftime("%H:%M") if shown else ""


def refusal(attempt: Attempt) -> str | None:
    """Why this attempt may not be tried now (a message saying when it may), or None."""
    now, pair, account, address = attempt.now, attempt.pair, attempt.account, attempt.address
    if address.locked_until and address.locked_until > now:
        return _("此地址登录失败次数过多，已暂停登录至 {time}，请稍后再试").format(time=_until(address.locked_until))
    if pair.locked_until and pair.locked_until > now:
        return _("此地址登录该账号失败次数过多，已暂停至 {time}。请稍后再试，或联系系统管理员").format(
            time=_until(pair.locked_until))
    own = recent_failures(pair, now)
    if own >= SLOW_AFTER and pair.last_failure_at:
        ready = pair.last_failure_at + timedelta(seconds=2 ** (own - SLOW_AFTER + 1))
        if ready > now:
            return _("登录失败次数较多，请 {n} 秒后再试").format(n=_seconds_until(ready, now))
    if own > OWN_FAILURES_FORGIVEN and recent_failures(account, now) >= ACCOUNT_SLOW_AFTER and account.last_failure_at:
        ready = account.last_failure_at + ACCOUNT_PAUSE
        if ready > now:
            return _("该账号近期在多处登录失败，请 {n} 秒后再试").format(n=_seconds_until(ready, now))
    return None


def _count(row: LoginThrottle, now: datetime, lock_after: int | None) -> bool:
    """Count one failure; True when it locks the row."""
    row.failures = recent_failures(row, now) + 1
    row.last_failure_at = now
    if lock_after is not None and row.failures >= lock_after:
        row.locked_until = now + LOCK_FOR
        return True
    return False


async def _locked(db: AsyncSession, row: LoginThrottle) -> LoginThrottle:
    """Re-read the row under a row lock just before changing it, so two failures counted at
    once both count. Taken after the password check, so attempts from one address at other
    accounts never wait on each other's hashing."""
    await db.refresh(row, with_for_update=True)
    return row


async def record_failure(db: AsyncSession, attempt: Attempt) -> Failure:
    """Count a wrong password on the pair, the account and the address (the caller commits:
    the attempt is refused, but its count must stay)."""
    now = attempt.now
    locked = _count(attempt.pair, now, PAIR_LOCK_AFTER)  # held under lock since begin()
    _count(await _locked(db, attempt.account), now, None)
    locked |= _count(await _locked(db, attempt.address), now, ADDRESS_LOCK_AFTER)
    await db.flush()
    return Failure(refusal=refusal(attempt) if locked else None, left=PAIR_LOCK_AFTER - attempt.pair.failures)


def record_success(attempt: Attempt) -> None:
    """The right password: this address's own failures at the account are forgiven. The
    account's count stays — it is evidence of others' attempts, which the owner's login does
    not erase — and so does the address's."""
    attempt.pair.failures = 0
    attempt.pair.locked_until = None


KEPT_FOR = timedelta(days=1)


async def prune(db: AsyncSession, now: datetime) -> int:
    """Forget counters that no longer decide anything: no failure for a day and no pause in
    force (`arena worker`, every pass). Each new (account, address) pair adds a row; without
    this the table would only grow."""
    cutoff = now - KEPT_FOR
    result = await db.execute(delete(LoginThrottle).where(
        or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at < cutoff),
        LoginThrottle.created_at < cutoff,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
