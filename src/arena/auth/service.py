"""Accounts: login with throttling, creating accounts, roles and passwords.

Every change writes an audit event in the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.summary import register_values
from arena.auth import passwords, throttle
from arena.auth.models import ROLE_LABELS, Role, User, UserRole
from arena.clock import Clock
from arena.errors import DomainError, FormErrors, NotFound
from arena.i18n import gettext as _

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")

class LoginRefused(DomainError):
    """Wrong credentials, a throttled address or account, or an account that cannot log in.
    A failure is counted (throttling needs the count), so the caller commits it."""

    keeps_writes = True

register_values("roles", ROLE_LABELS)  # the audit log names an account's roles


class ReentryRefused(FormErrors):
    """A password re-entered to confirm an action (signing, changing it) was wrong or may not
    be tried now. Its failure is counted and nothing else was changed, so the caller commits
    rather than rolls back — or the guess would not count."""

    keeps_writes = True


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, display_name=user.display_name, roles=user.role_set)


async def get_user(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound(_("账号不存在"))
    return user


async def find_user(db: AsyncSession, username: str) -> User | None:
    return await db.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


async def _verify(user: User | None, password: str) -> bool:
    """argon2 off the event loop; an unknown user is checked against a dummy hash, so the
    answer's timing does not tell which usernames exist."""
    ok = await passwords.verify_in_thread(user.password_hash if user else None, password)
    return ok and user is not None and user.is_active


async def authenticate(db: AsyncSession, clock: Clock, username: str, password: str,
                       remote_addr: str | None) -> User:
    """Return the user for valid credentials, or raise LoginRefused with a message to show.

    Failures are recorded even though the login is refused, so the caller must commit.
    """
    username = username.strip()
    attempt = await throttle.begin(db, username, remote_addr, clock.now())
    if refusal := throttle.refusal(attempt):
        raise LoginRefused(refusal)
    user = await find_user(db, username) if username else None
    if not await _verify(user, password) or user is None:
        failure = await throttle.record_failure(db, attempt)
        raise LoginRefused(failure.refusal or _(
            "用户名或密码不正确（此地址再失败 {n} 次将暂停登录该账号 15 分钟）").format(n=failure.left))
    throttle.record_success(attempt)
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_in_thread(password)
    await audit.record(db, clock, actor_for(user), "user", "auth.login", "user", user.id)
    return user


async def confirm_password(db: AsyncSession, clock: Clock, user: User, password: str, remote_addr: str | None,
                           *, field: str, wrong: str) -> None:
    """The password re-entered to confirm an action counts as a login attempt of `user` from
    `remote_addr`: refused while that is throttled, and a wrong one is a failure like a wrong
    login. Raises ReentryRefused with the message on `field` (`wrong` is shown for a wrong
    password, formatted with `n`, the failures left before this address is paused)."""
    attempt = await throttle.begin(db, user.username, remote_addr, clock.now())
    if refusal := throttle.refusal(attempt):
        raise ReentryRefused({field: refusal})
    if not await _verify(user, password):
        failure = await throttle.record_failure(db, attempt)
        raise ReentryRefused({field: failure.refusal or wrong.format(n=failure.left)})
    throttle.record_success(attempt)


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


async def account_errors(db: AsyncSession, account: NewAccount) -> dict[str, str]:
    """Every reason `create_user` would refuse the account (keys: username, display_name, roles,
    password, email), for forms that create an account along with something else."""
    errors = validate_account(account.username, account.display_name, account.roles)
    if account.password is not None:
        errors |= check_new_password(account.password)
    if account.email and not EMAIL.match(account.email.strip()):
        errors["email"] = _("邮箱格式不正确（例如 name@example.org）")
    if "username" not in errors and await find_user(db, account.username):
        errors["username"] = _("用户名 {name} 已被使用").format(name=account.username)
    return errors


async def create_user(db: AsyncSession, clock: Clock, actor: Actor, account: NewAccount,
                      *, password_hash: str | None = None) -> User:
    """`password_hash`: already hashed (a bulk import hashes before its write transaction)."""
    errors = await account_errors(db, account)
    if errors:
        raise FormErrors(errors)
    if password_hash is None and account.password:
        password_hash = await passwords.hash_in_thread(account.password)
    user = User(
        username=account.username,
        display_name=account.display_name.strip(),
        password_hash=password_hash,
        password_changed_at=clock.now() if password_hash else None,
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
    user.password_hash = await passwords.hash_in_thread(password)
    user.password_changed_at = clock.now()
    action = "user.password_reset" if by_admin else "user.password_change"
    await audit.record(db, clock, actor, "admin" if by_admin else "user", action, "user", user.id)


async def change_own_password(db: AsyncSession, clock: Clock, user: User, current: str, new: str,
                              confirm: str, remote_addr: str | None) -> None:
    """The current password counts as a login attempt from `remote_addr` (confirm_password):
    ReentryRefused when it is wrong or may not be tried now, FormErrors for a bad new one."""
    errors = check_new_password(new, confirm, field="new_password")
    try:
        await confirm_password(db, clock, user, current, remote_addr, field="current_password",
                               wrong=_("当前密码不正确（此地址再失败 {n} 次将暂停登录该账号 15 分钟）"))
    except ReentryRefused as refused:
        raise ReentryRefused(refused.errors | errors) from None
    if errors:
        raise FormErrors(errors)
    await set_password(db, clock, actor_for(user), user, new, by_admin=False)


async def count_users(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(User)) or 0)
