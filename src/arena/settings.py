"""One Settings object, read from ARENA_* environment variables.

Development works with no configuration at all (SQLite under var/, a secret generated into
var/). Production refuses to start without an explicit secret, so a forgotten variable can
never silently weaken sessions and CSRF.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from arena import PROJECT_ROOT
from arena.clock import parse_offset


class ConfigurationError(Exception):
    """The environment does not describe a runnable Arena; the message says what to set."""


MISSING_SIGNING_KEY = "生产环境必须设置 ARENA_AUDIT_SIGNING_KEY（32 字节 Ed25519 私钥种子的 hex 或 base64）"


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    redis_url: str | None = None
    files_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var" / "files")
    smtp_url: str | None = None
    var_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    demo_password: str = "arena-demo"  # noqa: S105 - documented demo password
    metrics_token: str | None = None
    api_rate_limit: int = 120  # requests per minute per API client token (arena.api.ratelimit)
    login_rate_limit: int = 60  # login attempts per minute per client address (a whole office may share one)
    upload_rate_limit: int = 30  # files per minute per account
    verify_rate_limit: int = 30  # certificate look-ups per minute per client address
    redis_prefix: str = "arena"  # Redis key prefix: several installations (or test runs) can share a Redis
    # Proxies whose X-Forwarded-For is believed (addresses or networks): rate limits and login
    # throttling must see the person's address, not the proxy's.
    trusted_proxies: tuple[str, ...] = ()
    log_format: str = "text"  # "json" (default in production): one JSON object per line, with request ids
    access_log: bool = False  # one log line per request (default in production)
    # The address people reach Arena at: printed (with a QR code) on certificates for /verify.
    public_url: str = "http://127.0.0.1:8000"
    young_cadre_age: int = 35  # GLOSSARY young_cadre: younger than this (周岁), for the statistics
    active_bid_cap: int = 2  # active bids (submitted, qualified, won and running) one cadre may lead at once
    worker_interval: int = 30  # seconds between the worker's passes (`arena worker --interval` overrides)
    # A worker's event loop answering nobody for this long is logged, with why (arena.observe.stalls);
    # 0: not watched. 200 in production.
    stall_log_ms: int = 0
    # The Ed25519 seed (hex or base64 of 32 bytes) that signs audit checkpoints (arena.audit.checkpoints).
    audit_signing_key: str = field(default="", repr=False)
    # Development only: the app and the worker run this far ahead of (or behind) the wall clock,
    # so a trainer can walk a challenge through its whole life in an afternoon (a banner says so).
    clock_offset: timedelta = timedelta(0)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def audit_signing_seed(self) -> bytes:
        """The 32-byte seed of the checkpoint key; in development generated once into var/."""
        if not self.audit_signing_key and self.production:
            raise ConfigurationError(MISSING_SIGNING_KEY)
        return signing_seed(self.audit_signing_key or _development_signing_key(self.var_dir))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env_vars = dict(os.environ if environ is None else environ)
        env = env_vars.get("ARENA_ENV", "development")
        if env not in ("development", "production"):
            raise ConfigurationError(f"ARENA_ENV 只能是 development 或 production（当前为 {env!r}）")
        var_dir = Path(env_vars.get("ARENA_VAR_DIR", str(PROJECT_ROOT / "var")))
        database_url = env_vars.get("ARENA_DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir / 'arena.db'}"
        secret = env_vars.get("ARENA_SECRET_KEY", "")
        if not secret:
            if env == "production":
                raise ConfigurationError("生产环境必须设置 ARENA_SECRET_KEY（至少 32 个字符的随机串）")
            secret = _development_secret(var_dir)
        if env == "production" and len(secret) < 32:
            raise ConfigurationError("ARENA_SECRET_KEY 至少需要 32 个字符")
        try:
            port = int(env_vars.get("ARENA_PORT", "8000"))
            workers = int(env_vars.get("ARENA_WORKERS", "1"))
        except ValueError as exc:
            raise ConfigurationError(f"ARENA_PORT 与 ARENA_WORKERS 必须是整数：{exc}") from exc
        api_rate_limit = _positive_int(env_vars, "ARENA_API_RATE_LIMIT", 120)
        log_format = env_vars.get("ARENA_LOG_FORMAT") or ("json" if env == "production" else "text")
        if log_format not in ("json", "text"):
            raise ConfigurationError(f"ARENA_LOG_FORMAT 只能是 json 或 text（当前为 {log_format!r}）")
        young_cadre_age = _young_cadre_age(env_vars.get("ARENA_YOUNG_CADRE_AGE", "35"))
        signing_key = env_vars.get("ARENA_AUDIT_SIGNING_KEY", "").strip()
        if signing_key:
            signing_seed(signing_key)  # a malformed key stops the start, not the first checkpoint
        elif env == "production":
            raise ConfigurationError(MISSING_SIGNING_KEY)
        if env == "production":
            _require_explicit(env_vars)
        clock_offset = _clock_offset(env_vars.get("ARENA_CLOCK_OFFSET", ""), env)
        return cls(
            env=env,
            database_url=database_url,
            secret_key=secret,
            host=env_vars.get("ARENA_HOST", "127.0.0.1"),
            port=port,
            workers=max(1, workers),
            redis_url=env_vars.get("ARENA_REDIS_URL") or None,
            files_dir=Path(env_vars.get("ARENA_FILES_DIR", str(var_dir / "files"))),
            smtp_url=env_vars.get("ARENA_SMTP_URL") or None,
            var_dir=var_dir,
            demo_password=env_vars.get("ARENA_DEMO_PASSWORD", "arena-demo"),
            metrics_token=env_vars.get("ARENA_METRICS_TOKEN") or None,
            public_url=(env_vars.get("ARENA_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
            young_cadre_age=young_cadre_age,
            audit_signing_key=signing_key,
            api_rate_limit=api_rate_limit,
            login_rate_limit=_positive_int(env_vars, "ARENA_LOGIN_RATE_LIMIT", 60),
            upload_rate_limit=_positive_int(env_vars, "ARENA_UPLOAD_RATE_LIMIT", 30),
            verify_rate_limit=_positive_int(env_vars, "ARENA_VERIFY_RATE_LIMIT", 30),
            redis_prefix=env_vars.get("ARENA_REDIS_PREFIX") or "arena",
            trusted_proxies=_networks(env_vars.get("ARENA_TRUSTED_PROXIES", "")),
            log_format=log_format,
            access_log=_flag(env_vars.get("ARENA_ACCESS_LOG"), default=env == "production"),
            clock_offset=clock_offset,
            active_bid_cap=_positive_int(env_vars, "ARENA_ACTIVE_BID_CAP", 2),
            worker_interval=_positive_int(env_vars, "ARENA_WORKER_INTERVAL", 30),
            stall_log_ms=_count(env_vars, "ARENA_STALL_LOG_MS", 200 if env == "production" else 0),
        )


def _clock_offset(raw: str, env: str) -> timedelta:
    if not raw.strip():
        return timedelta(0)
    if env == "production":
        raise ConfigurationError("生产环境不能设置 ARENA_CLOCK_OFFSET：演练时钟只用于培训和演示"
                                 " / ARENA_CLOCK_OFFSET is for rehearsals and is refused in production")
    offset = parse_offset(raw)
    if offset is None:
        raise ConfigurationError(f"ARENA_CLOCK_OFFSET 的格式如 3d、+2d12h、-90m（当前为 {raw!r}）")
    return offset


PRODUCTION_REQUIRED = ("ARENA_DATABASE_URL", "ARENA_PUBLIC_URL", "ARENA_FILES_DIR")


def _require_explicit(env_vars: dict[str, str]) -> None:
    """Production never falls back to the development defaults (a SQLite file, 127.0.0.1 printed
    on certificates, files under the checkout): a missing variable stops the start, named."""
    missing = [name for name in PRODUCTION_REQUIRED if not env_vars.get(name, "").strip()]
    if missing:
        raise ConfigurationError(f"生产环境必须明确设置 {'、'.join(missing)}（不使用开发默认值）"
                                 f" / production needs {', '.join(missing)} set explicitly")


def _count(env_vars: dict[str, str], name: str, default: int) -> int:
    """A whole number, 0 or more (0 turns the thing off)."""
    raw = env_vars.get(name, str(default))
    if not raw.strip().isdigit():
        raise ConfigurationError(f"{name} 必须是 0 或正整数（当前为 {raw!r}）")
    return int(raw)


def _positive_int(env_vars: dict[str, str], name: str, default: int) -> int:
    raw = env_vars.get(name, str(default))
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} 必须是正整数（当前为 {raw!r}）") from exc
    if value < 1:
        raise ConfigurationError(f"{name} 必须是正整数（当前为 {raw!r}）")
    return value


def _networks(raw: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks (10.0.0.5, 10.0.0.0/8); a typo stops the start."""
    entries = tuple(part.strip() for part in raw.split(",") if part.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ConfigurationError(f"ARENA_TRUSTED_PROXIES 中的 {entry!r} 不是 IP 地址或网段") from exc
    return entries


def _flag(raw: str | None, *, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"开关变量只能是 1/0、true/false（当前为 {raw!r}）")


def _young_cadre_age(raw: str) -> int:
    """A typo must stop the start: a silent default would misreport every share of young cadres."""
    try:
        age = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"ARENA_YOUNG_CADRE_AGE 必须是整数（周岁，例如 35），当前为 {raw!r}") from exc
    if not 1 <= age <= 120:
        raise ConfigurationError(f"ARENA_YOUNG_CADRE_AGE 必须在 1 到 120 之间（当前为 {age}）")
    return age


def _development_secret(var_dir: Path) -> str:
    """Keep one random secret per checkout so sessions survive restarts in development."""
    return _kept_in_var(var_dir / "secret_key", secrets.token_urlsafe(48))


def _kept_in_var(path: Path, fresh: str) -> str:
    """A development key made once: created owner-only (0600) from the start, never chmod-ed
    after being written; when two processes start at once, the second reads the first's."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(fresh)
    return fresh


def signing_seed(raw: str) -> bytes:
    """Decode the checkpoint key: 64 hex digits or base64, exactly 32 bytes (an Ed25519 seed)."""
    raw = raw.strip()
    try:
        seed = bytes.fromhex(raw) if len(raw) == 64 else base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ConfigurationError("ARENA_AUDIT_SIGNING_KEY 须为 32 字节的 hex（64 位）或 base64") from exc
    if len(seed) != 32:
        raise ConfigurationError(f"ARENA_AUDIT_SIGNING_KEY 须为 32 字节（当前为 {len(seed)} 字节）")
    return seed


def _development_signing_key(var_dir: Path) -> str:
    """One checkpoint key per checkout, kept beside the development secret (mode 0600)."""
    return _kept_in_var(var_dir / "audit_signing_key", secrets.token_hex(32))
