"""Accounts: login with throttling, creating accounts, roles and passwords.

Every change writes an audit event in the caller's transaction.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.auth import passwords
from arena.auth.models import LoginThrottle, Role, User, UserRole
from arena.clock import Clock, to_display
from arena.db import dialect_insert
from arena.errors import DomainError, FormErrors, NotFound
from arena.i18n import gettext as _

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")

# Throttling (issue 3): slow down after a few failures, then lock for a while.
SLOW_AFTER = 3
ACCOUNT_LOCK_AFTER = 5
ADDRESS_LOCK_AFTER = 20
LOCK_FOR = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(minutes=15)


class LoginRefused(DomainError):
    """Wrong credentials, a locked account or address, or an account that cannot log in."""


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, display_name=user.display_name, roles=user.role_set)


async def get_user(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound(_("账号不存在"))
    return user


async def find_user(db: AsyncSession, username: str) -> User | None:
    return await db.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


async def _throttle(db: AsyncSession, key: str, now: datetime) -> LoginThrottle:
    """The counter row for `key`, created if missing. Two first logins at once (two app
    processes) must not both insert it: the insert yields to whichever came first."""
    await db.execute(dialect_insert(db, LoginThrottle).values(key=key, failures=0, created_at=now, updated_at=now)
                     .on_conflict_do_nothing(index_elements=["key"]))
    row = await db.scalar(select(LoginThrottle).where(LoginThrottle.key == key))
    assert row is not None
    return row


async def _locked(db: AsyncSession, row: LoginThrottle) -> LoginThrottle:
    """Re-read the row under a row lock (PostgreSQL; SQLite writers are serial anyway) just
    before changing it, so two failures counted at once both count. Taken after the password
    check, so logins from one address never wait on each other's hashing."""
    await db.refresh(row, with_for_update=True)
    return row


def _refusal_if_throttled(row: LoginThrottle, now: datetime, *, address: bool) -> str | None:
    if row.locked_until and row.locked_until > now:
        until = to_display(row.locked_until)
        when = until.strftime("%H:%M") if until else ""
        if address:
            return _("此地址登录失败次数过多，已暂停登录至 {time}，请稍后再试").format(time=when)
        return _("登录失败次数过多，账号已锁定至 {time}。请稍后再试，或联系系统管理员").format(time=when)
    if not address and row.failures >= SLOW_AFTER and row.last_failure_at:
        wait = timedelta(seconds=2 ** (row.failures - SLOW_AFTER + 1))
        ready = row.last_failure_at + wait
        if ready > now:
            seconds = max(1, int((ready - now).total_seconds() + 0.999))
            return _("登录失败次数较多，请 {n} 秒后再试").format(n=seconds)
    return None


def _count_failure(row: LoginThrottle, now: datetime, lock_after: int) -> None:
    if row.last_failure_at and now - row.last_failure_at > FAILURE_WINDOW:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= lock_after:
        row.locked_until = now + LOCK_FOR


async def authenticate(db: AsyncSession, clock: Clock, username: str, password: str,
                       remote_addr: str | None) -> User:
    """Return the user for valid credentials, or raise LoginRefused with a message to show.

    Failures are recorded even though the login is refused, so the caller must commit.
    """
    now = clock.now()
    username = username.strip()
    account_row = await _throttle(db, f"user:{username.lower()[:150]}", now)
    address_row = await _throttle(db, f"addr:{(remote_addr or 'unknown')[:150]}", now)
    for row, is_address in ((address_row, True), (account_row, False)):
        refusal = _refusal_if_throttled(row, now, address=is_address)
        if refusal:
            raise LoginRefused(refusal)
    user = await find_user(db, username) if username else None
    if user is None or not user.is_active or not await asyncio.to_thread(passwords.verify_password,
                                                                         user.password_hash, password):
        _count_failure(await _locked(db, account_row), now, ACCOUNT_LOCK_AFTER)
        _count_failure(await _locked(db, address_row), now, ADDRESS_LOCK_AFTER)
        await db.flush()
        if account_row.locked_until and account_row.locked_until > now:
            raise LoginRefused(_refusal_if_throttled(account_row, now, address=False) or "")
        left = ACCOUNT_LOCK_AFTER - account_row.failures
        raise LoginRefused(_("用户名或密码不正确（再失败 {n} 次将锁定账号 15 分钟）").format(n=left))
    account_row = await _locked(db, account_row)
    account_row.failures = 0
    account_row.locked_until = None
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    await audit.record(db, clock, actor_for(user), "user", "auth.login", "user", user.id)
    return user


def check_new_password(password: str, confirm: str | None = None, field: str = "password") -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(password) < passwords.MIN_LENGTH:
        errors[field] = _("密码至少 {n} 个字符").format(n=passwords.MIN_LENGTH)
    elif len(password) > 256:
        errors[field] = _("密码最多 256 个字符")
    elif confirm is not None and password != confirm:
        errors["confirm"] = _("两次输入的密码不一致")
    return errors


@dataclass(frozen=True)
class NewAccount:
    username: str
    display_name: str
    roles: frozenset[Role]
    password: str | None
    email: str | None = None


def validate_account(username: str, display_name: str, roles: Iterable[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = _("用户名须为 2–64 个字母、数字、点、下划线或连字符")
    if not display_name.strip():
        errors["display_name"] = _("请填写姓名")
    elif len(display_name) > 64:
        errors["display_name"] = _("姓名最多 64 个字符")
    role_values = list(roles)
    if not role_values:
        errors["roles"] = _("请至少选择一个角色")
    elif any(r not in Role.__members__.values() for r in role_values):
        errors["roles"] = _("角色无效")
    return errors


EMAIL = re.compile(r"^[^@\s<>]{1,64}@[A-Za-z0-9.-]{1,185}\.[A-Za-z]{2,}$")


async def create_user(db: AsyncSession, clock: Clock, actor: Actor, account: NewAccount) -> User:
    errors = validate_account(account.username, account.display_name, account.roles)
    if account.password is not None:
        errors |= check_new_password(account.password)
    if account.email and not EMAIL.match(account.email.strip()):
        errors["email"] = _("邮箱格式不正确（例如 name@example.org）")
    if not errors and await find_user(db, account.username):
        errors["username"] = _("用户名 {name} 已被使用").format(name=account.username)
    if errors:
        raise FormErrors(errors)
    user = User(
        username=account.username,
        display_name=account.display_name.strip(),
        password_hash=passwords.hash_password(account.password) if account.password else None,
        password_changed_at=clock.now() if account.password else None,
        email=account.email.strip() if account.email else None,
        roles=[UserRole(role=str(role)) for role in sorted(account.roles)],
    )
    db.add(user)
    await db.flush()
    await audit.record(db, clock, actor, "admin", "user.create", "user", user.id,
                       {"username": user.username, "roles": sorted(account.roles)})
    return user


async def update_user(db: AsyncSession, clock: Clock, actor: Actor, user: User, display_name: str,
                      roles: Iterable[str], is_active: bool, email: str | None = None) -> None:
    """`email`: None leaves it as it is; "" removes it (no more notification e-mail)."""
    role_values = sorted(set(roles))
    errors = validate_account(user.username, display_name, role_values)
    if email and not EMAIL.match(email.strip()):
        errors["email"] = _("邮箱格式不正确（例如 name@example.org）")
    if user.id == actor.user_id and (Role.ADMIN not in role_values or not is_active):
        errors["roles"] = _("不能取消自己的系统管理员角色或停用自己的账号")
    if errors:
        raise FormErrors(errors)
    before = {"display_name": user.display_name, "roles": sorted(r.role for r in user.roles),
              "is_active": user.is_active, "email": user.email}
    user.display_name = display_name.strip()
    user.is_active = is_active
    if email is not None:
        user.email = email.strip() or None
    current = {r.role: r for r in user.roles}
    for role in set(current) - set(role_values):
        user.roles.remove(current[role])
    for role in set(role_values) - set(current):
        user.roles.append(UserRole(role=role))
    after = {"display_name": user.display_name, "roles": role_values, "is_active": is_active, "email": user.email}
    if before != after:
        await db.flush()
        await audit.record(db, clock, actor, "admin", "user.update", "user", user.id,
                           {"before": before, "after": after})


async def set_password(db: AsyncSession, clock: Clock, actor: Actor, user: User, password: str,
                       *, by_admin: bool) -> None:
    errors = check_new_password(password)
    if errors:
        raise FormErrors(errors)
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = clock.now()
    action = "user.password_reset" if by_admin else "user.password_change"
    await audit.record(db, clock, actor, "admin" if by_admin else "user", action, "user", user.id)


async def change_own_password(db: AsyncSession, clock: Clock, user: User, current: str, new: str,
                              confirm: str) -> None:
    errors = check_new_password(new, confirm, field="new_password")
    if not passwords.verify_password(user.password_hash, current):
        errors = {"current_password": _("当前密码不正确")} | errors
    if errors:
        raise FormErrors(errors)
    await set_password(db, clock, actor_for(user), user, new, by_admin=False)


async def count_users(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(User)) or 0)
