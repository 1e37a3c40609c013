"""The `arena` command: one entry point for operators, with help in Chinese and English.

Every command exits non-zero with a one-line reason on failure, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import logging.config
import os
import sys
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from arena import PROJECT_ROOT
from arena.settings import ConfigurationError, Settings

T = TypeVar("T")


class CommandFailed(click.ClickException):
    """A failure already phrased for the operator."""


def _fail_cleanly(fn: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except ConfigurationError as exc:
            raise CommandFailed(f"配置错误 / configuration error: {exc}") from exc
        except Exception as exc:  # one line, never a traceback
            logging.getLogger("arena.cli").debug("command failed", exc_info=True)
            message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
            raise CommandFailed(message.splitlines()[0]) from exc

    return wrapper


def run_async(coro_fn: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(coro_fn())  # type: ignore[arg-type]


def settings() -> Settings:
    return Settings.from_env()


@click.group(help="揭榜挂帅平台 Arena 的命令行 / Arena command line.")
def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


# --- database ---------------------------------------------------------------------------------

@main.group(help="数据库 / Database.")
def db() -> None:
    pass


def upgrade_database(database_url: str, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    if database_url.startswith("sqlite"):
        Path(database_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    command.upgrade(config, revision)


@db.command("upgrade", help="升级数据库结构到最新版本 / Apply all migrations.")
@click.option("--to", "revision", default="head", show_default=True, help="目标版本 / target revision")
@_fail_cleanly
def db_upgrade(revision: str) -> None:
    upgrade_database(settings().database_url, revision)
    click.echo("数据库结构已升级到最新版本 / database schema is up to date")


# --- demo -------------------------------------------------------------------------------------

@main.command(help="向空数据库载入演示数据 / Load demo data into an empty database.")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 1000),
              help="数据量倍数（用于性能测试）/ data multiplier for benchmarks")
@click.option("--if-empty", is_flag=True, help="数据库非空时不做任何事 / do nothing when data exists")
@click.option("--review-load", is_flag=True,
              help="加入 50 份揭榜 × 9 名专家的评审（性能测试用）/ add a 50 bids × 9 experts review for benchmarks")
@_fail_cleanly
def demo(scale: int, if_empty: bool, review_load: bool) -> None:
    from arena.demo import DemoNotEmpty, load_demo, login_summary

    cfg = settings()
    try:
        logins = run_async(lambda: load_demo(cfg, scale=scale, review_load=review_load))
    except DemoNotEmpty:
        if if_empty:
            click.echo("数据库已有数据，保留现有数据 / database not empty, kept as is")
            click.echo(login_summary(cfg))
            return
        raise
    click.echo(f"演示数据已载入（倍数 {scale}）/ demo data loaded (scale {scale})")
    click.echo(logins)


# --- users ------------------------------------------------------------------------------------

@main.group(help="账号 / Accounts.")
def user() -> None:
    pass


@user.command("create", help="创建账号（如第一个系统管理员）/ Create an account (e.g. the first admin).")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["admin", "organizer", "inspector", "expert", "cadre"]),
              help="角色，可多次给出 / role, may repeat")
@click.option("--name", "display_name", required=True, help="姓名 / display name")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码 / read the password from stdin")
@click.option("--email", default=None, help="邮箱，用于邮件通知 / e-mail address for notifications")
@_fail_cleanly
def user_create(username: str, roles: tuple[str, ...], display_name: str, password_stdin: bool,
                email: str | None) -> None:
    from arena.actor import SYSTEM
    from arena.auth import service
    from arena.auth.models import Role
    from arena.clock import Clock
    from arena.db import create_engine, create_session_maker, transaction
    from arena.errors import FormErrors

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    account = service.NewAccount(username, display_name, frozenset(Role(r) for r in roles), password, email)

    async def create() -> int:
        engine = create_engine(settings().database_url)
        try:
            async with transaction(create_session_maker(engine)) as session:
                created = await service.create_user(session, Clock(), SYSTEM, account)
                return created.id
        finally:
            await engine.dispose()

    try:
        user_id = run_async(create)
    except FormErrors as exc:
        raise CommandFailed("；".join(exc.errors.values())) from exc
    click.echo(f"已创建账号 {username}（编号 {user_id}）/ account created")


# --- import -----------------------------------------------------------------------------------

@main.group("import", help="导入 / Import.")
def import_() -> None:
    pass


@import_.command("people", help="从 Excel 导入干部与专家 / Import cadres and experts from .xlsx.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_fail_cleanly
def import_people(file: Path) -> None:
    from arena.actor import SYSTEM
    from arena.clock import Clock
    from arena.db import create_engine, create_session_maker, transaction
    from arena.units.importer import ImportRejected, import_people_file

    content = file.read_bytes()

    async def run() -> str:
        engine = create_engine(settings().database_url)
        try:
            async with transaction(create_session_maker(engine)) as session:
                outcome = await import_people_file(session, Clock(), SYSTEM, content)
                return outcome.describe()
        finally:
            await engine.dispose()

    try:
        click.echo(run_async(run))
    except ImportRejected as exc:
        for problem in exc.problems:
            click.echo(problem.describe(), err=True)
        raise CommandFailed(f"导入未执行：发现 {len(exc.problems)} 处问题，未写入任何数据 / nothing imported") from exc


# --- audit ------------------------------------------------------------------------------------

@main.group(help="审计 / Audit.")
def audit() -> None:
    pass


@audit.command("verify", help="校验整条审计哈希链 / Verify the whole audit chain.")
@_fail_cleanly
def audit_verify() -> None:
    from arena.audit.service import verify_chain
    from arena.db import create_engine, create_session_maker, transaction

    async def run() -> Any:
        engine = create_engine(settings().database_url)
        try:
            async with transaction(create_session_maker(engine), write=False) as session:
                return await verify_chain(session)
        finally:
            await engine.dispose()

    report = run_async(run)
    if not report.ok:
        raise CommandFailed(f"哈希链在第 {report.broken.seq} 号事件处断开：{report.broken.reason} / chain broken")
    click.echo(f"哈希链完整：{report.count} 条事件，末条哈希 {report.last_hash} / chain intact")


def _read(fn: Any) -> Any:
    """Run `fn(session)` in one read transaction against the configured database."""
    from arena.db import create_engine, create_session_maker, transaction

    async def run() -> Any:
        engine = create_engine(settings().database_url)
        try:
            async with transaction(create_session_maker(engine), write=False) as session:
                return await fn(session)
        finally:
            await engine.dispose()

    return run_async(run)


@main.group(help="评审专家抽取 / The panel draw.")
def draw() -> None:
    pass


ACCEPTANCE_OPTION = click.option("--acceptance", is_flag=True,
                                 help="验收专家组（而非揭榜评审）/ the acceptance panel, not the bid review")


def _purpose(acceptance: bool) -> Any:
    from arena.review.models import PanelPurpose

    return PanelPurpose.ACCEPTANCE if acceptance else PanelPurpose.BID


@draw.command("verify", help="按公开方法重新计算专家抽取 / Recompute a challenge's panel draw.")
@click.argument("challenge_id", type=int)
@ACCEPTANCE_OPTION
@_fail_cleanly
def draw_verify(challenge_id: int, acceptance: bool) -> None:
    from arena.review.service import verify_draw

    panel, problems = _read(lambda session: verify_draw(session, challenge_id, _purpose(acceptance)))
    if problems:
        raise CommandFailed(f"抽取核验未通过：{', '.join(problems)} / draw does not verify: {', '.join(problems)}")
    click.echo(f"抽取核验通过：承诺值 {panel.seed_commitment}，候选名单哈希 {panel.candidates_sha256}，"
               f"结果 {panel.drawn} / draw verified")


@main.group(help="评审结果 / Review results.")
def results() -> None:
    pass


@results.command("verify", help="由评分表重新计算并核对冻结的评审结果 / Recompute frozen results from the sheets.")
@click.argument("challenge_id", type=int)
@ACCEPTANCE_OPTION
@_fail_cleanly
def results_verify(challenge_id: int, acceptance: bool) -> None:
    from arena.review.service import verify_results

    report = _read(lambda session: verify_results(session, challenge_id, _purpose(acceptance)))
    click.echo(f"冻结快照 SHA-256 / frozen snapshot: {report.stored_sha256}")
    click.echo(f"重新计算 SHA-256 / recomputed:      {report.recomputed_sha256}")
    if not report.ok:
        raise CommandFailed("评审结果与评分表不一致 / results do not match the stored sheets")
    click.echo("评审结果核验通过 / results verified")


# --- backups and moving databases (arena.ops) -------------------------------------------------

def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@main.command("backup", short_help="备份数据库与上传文件 / Back up the database and files.",
              help="把数据库与上传文件备份到新的或空的目录，运行中也可备份 / Back up the database and uploaded "
                   "files into a new or empty directory (safe while Arena runs).")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@_fail_cleanly
def backup_command(directory: Path) -> None:
    from arena.ops.backup import backup

    done = backup(settings(), directory)
    click.echo(f"备份完成：{directory}，数据库 + {len(done.store_files)} 个文件（共 {_megabytes(done.total_bytes)}），"
               f"审计事件 {done.audit_count} 条，末条哈希 {done.audit_last_hash or '—'} / backup written")


@main.command("restore", short_help="把备份恢复到空的安装 / Restore a backup into an empty installation.",
              help="把备份恢复到空的安装（无数据表的数据库、空的文件目录）。先核对全部哈希，再恢复数据库与文件"
                   "并校验审计哈希链。不自动升级数据库结构：备份较旧时会提示运行 arena db upgrade，以便先核对"
                   "恢复结果 / Restore a backup into an empty installation. Verifies every hash first, then "
                   "the audit chain. Never migrates: if the backup is older, you are told to run "
                   "arena db upgrade once you have checked the restore.")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_fail_cleanly
def restore_command(directory: Path) -> None:
    from arena.ops.database import SchemaStatus, head_revision
    from arena.ops.restore import restore

    done = restore(settings(), directory)
    backup = done.manifest
    click.echo(f"已恢复：数据库 + {len(backup.store_files)} 个文件，哈希核对无误（备份时间 {backup.created_at}）"
               "/ restored, every hash verified")
    chain = done.chain
    if chain.broken is not None:
        raise CommandFailed(f"恢复已写入，但哈希链在第 {chain.broken.seq} 号事件处断开：{chain.broken.reason}"
                            " / restored, but the audit chain is broken")
    if not done.chain_matches_backup:
        raise CommandFailed(f"恢复已写入，但哈希链与备份清单不符（清单 {backup.audit_count} 条，"
                            f"恢复后 {chain.count} 条）/ restored, but the audit chain differs from the manifest")
    click.echo(f"哈希链完整：{chain.count} 条事件，末条哈希 {chain.last_hash} / chain intact")
    if done.schema is SchemaStatus.BEHIND:
        click.echo(f"备份的数据库结构版本 {backup.alembic_revision} 旧于本程序的 {head_revision()}："
                   "请运行 arena db upgrade / the schema is older than this Arena: run arena db upgrade")


@db.command("copy", short_help="整库复制到空的目标数据库 / Copy the database into an empty one.",
            help="把当前配置的数据库整库复制到空的目标数据库（如 SQLite 试点迁到 PostgreSQL），源库可继续运行；"
                 "任何失败都不在目标库留下数据 / Copy the configured database into an empty one (e.g. a "
                 "SQLite pilot to PostgreSQL) while the source keeps running; any failure leaves no data "
                 "in the target.")
@click.option("--to", "target_url", required=True, metavar="URL", envvar="ARENA_COPY_TO",
              help="目标数据库地址，如 postgresql+asyncpg://arena@db/arena；含密码时可改用环境变量 ARENA_COPY_TO，"
                   "免得密码出现在进程列表中 / target database URL (or ARENA_COPY_TO, to keep a password out of ps)")
@_fail_cleanly
def db_copy(target_url: str) -> None:
    from sqlalchemy import make_url

    from arena.ops.copy import copy_database

    done = copy_database(settings().database_url, target_url)
    target = make_url(target_url).render_as_string(hide_password=True)
    click.echo(f"已复制到 {target}：{len(done.rows)} 张表共 {done.total} 行，逐表行数一致；"
               f"哈希链完整：{done.chain.count} 条事件，末条哈希 {done.chain.last_hash}"
               " / copied, row counts equal, chain intact")


# --- worker -----------------------------------------------------------------------------------

@main.command(help="运行后台任务：定时提醒与邮件通知 / Run reminders and e-mail in the background.")
@click.option("--once", is_flag=True, help="只运行一轮后退出 / run one pass and exit")
@click.option("--interval", type=float, default=None, help="两轮之间的秒数 / seconds between passes")
@_fail_cleanly
def worker(once: bool, interval: float | None) -> None:
    from arena.clock import Clock
    from arena.db import create_engine, create_session_maker
    from arena.notify import mail
    from arena.notify.worker import run_forever, run_pass
    from arena.observe.logs import dict_config

    cfg = settings()
    smtp = mail.SmtpConfig.from_url(cfg.smtp_url) if cfg.smtp_url else None
    seconds = interval or float(os.environ.get("ARENA_WORKER_INTERVAL") or 30)
    logging.config.dictConfig(dict_config(cfg, level="WARNING"))
    logging.getLogger("arena.worker").setLevel(logging.INFO)

    async def run() -> tuple[int, int] | None:
        engine = create_engine(cfg.database_url)
        try:
            if once:
                return await run_pass(create_session_maker(engine), Clock(), smtp)
            await run_forever(create_session_maker(engine), Clock(), smtp, seconds)
            return None
        finally:
            await engine.dispose()

    result = run_async(run)
    if result is not None:
        click.echo(f"提醒 {result[0]} 条，邮件 {result[1]} 封 / {result[0]} reminders, {result[1]} e-mails")


# --- serving ----------------------------------------------------------------------------------

@main.command(help="启动网站 / Serve the web application.")
@click.option("--reload", is_flag=True, help="代码变动时重启（开发用）/ restart on code changes")
@_fail_cleanly
def serve(reload: bool) -> None:
    from arena.observe.metrics import MULTIPROCESS_DIR, prepare_multiprocess_dir

    cfg = settings()
    # Every worker process writes its metrics here and /metrics adds them up (arena.observe.metrics).
    metrics_dir = cfg.var_dir / "metrics"
    prepare_multiprocess_dir(metrics_dir)
    os.environ[MULTIPROCESS_DIR] = str(metrics_dir)
    args = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", cfg.host,
            "--port", str(cfg.port), "--workers", str(cfg.workers), "--no-ws", "--log-level", "warning"]
    if reload:
        args.append("--reload")
    args.append("arena.asgi:application")
    # Replace this process so that a signal to `arena serve` reaches the server itself.
    os.execv(sys.executable, args)  # noqa: S606 - fixed argv, no shell


if __name__ == "__main__":
    main()
