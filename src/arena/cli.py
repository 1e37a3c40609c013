"""The `arena` command: one entry point for operators, with help in Chinese and English.

Every command exits non-zero with a one-line reason on failure, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import logging.config
import os
import sys
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

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
    import arena.caches  # noqa: F401  (a command's writes bump the servers' caches too)


# --- database ---------------------------------------------------------------------------------

@main.group(help="数据库 / Database.")
def db() -> None:
    pass


def upgrade_database(database_url: str, revision: str = "head") -> tuple[str | None, str]:
    """Migrate forward; (revision before, revision reached). Never goes back (arena.ops.database)."""
    from arena.ops.database import upgrade

    return upgrade(database_url, revision)


@db.command("upgrade", help="升级数据库结构到最新版本 / Apply all migrations.")
@click.option("--to", "revision", default="head", show_default=True, help="目标版本 / target revision")
@_fail_cleanly
def db_upgrade(revision: str) -> None:
    before, reached = upgrade_database(settings().database_url, revision)
    if before == reached:
        click.echo(f"数据库结构已在 {reached}，无需升级 / database schema already at {reached}")
    else:
        click.echo(f"数据库结构已从 {before or '空库'} 升级到 {reached} / database schema upgraded from "
                   f"{before or 'empty'} to {reached}")


# --- demo -------------------------------------------------------------------------------------

@main.command(help="向空数据库载入演示数据 / Load demo data into an empty database.")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 1000),
              help="数据量倍数（用于性能测试）/ data multiplier for benchmarks")
@click.option("--if-empty", is_flag=True, help="数据库非空时不做任何事 / do nothing when data exists")
@click.option("--review-load", is_flag=True,
              help="加入 300 份揭榜 × 9 名专家的评审（性能测试用）/ add a 300 bids × 9 experts review for benchmarks")
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
                # New logins' initial passwords: printed this once to the operator, kept nowhere.
                issued = [f"  {item.username}\t{item.password}\t{item.code} {item.name}" for item in outcome.issued]
                heading = ["初始密码（仅显示这一次）/ initial passwords (shown once):"] if issued else []
                return "\n".join([outcome.describe(), *heading, *issued])
        finally:
            await engine.dispose()

    try:
        click.echo(run_async(run))
    except ImportRejected as exc:
        for problem in exc.problems:
            click.echo(problem.describe(), err=True)
        raise CommandFailed(f"导入未执行：发现 {exc.total} 处问题，未写入任何数据 / nothing imported") from exc


# --- audit ------------------------------------------------------------------------------------

@main.group(help="审计 / Audit.")
def audit() -> None:
    pass


@audit.command("verify", help="校验整条审计哈希链 / Verify the whole audit chain.")
@click.option("--checkpoint", "kept", metavar="FILE_OR_HASH", default=None,
              help="并证明当前链条延续此前保存的锚点：锚点 JSON 文件（核对签名），或锚点中的 64 位链头哈希 / "
                   "also prove the chain extends a kept checkpoint: its JSON file (signature checked) or its head hash")
@_fail_cleanly
def audit_verify(kept: str | None) -> None:
    from arena.audit.service import verify_chain
    from arena.db import create_engine, create_session_maker, transaction

    if kept is not None:
        _verify_checkpoint(kept)
        return

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


def _verify_checkpoint(kept: str) -> None:
    """`arena audit verify --checkpoint`: a file is parsed and its signature checked against this
    installation's keys; a bare head hash is looked up in the chain. Either way the whole chain
    is walked and must still hold the checkpointed event."""
    import json
    import re

    from arena.audit import anchor, checkpoints

    path = Path(kept)
    checkpoint = None
    if path.is_file():
        try:
            checkpoint = anchor.parse_checkpoint(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandFailed(f"无法读取锚点文件 {path}：{exc} / cannot read the checkpoint file") from exc
    elif not re.fullmatch(r"[0-9a-fA-F]{64}", kept):
        raise CommandFailed(f"{kept} 既不是文件，也不是 64 位十六进制哈希 / neither a file nor a head hash")
    key = checkpoints.signing_key(settings())

    async def check(session: Any) -> tuple[int, checkpoints.AnchorReport | None]:
        if checkpoint is None:
            seq = await checkpoints.seq_of_hash(session, kept.lower())
            return (0, None) if seq is None else (seq, await checkpoints.verify_against(session, seq, kept.lower()))
        public_key = (await checkpoints.known_keys(session, key)).get(checkpoint.key_id)
        if public_key is None:
            raise CommandFailed(f"锚点的签名密钥 {checkpoint.key_id} 不是本平台的密钥 / unknown signing key")
        if not anchor.signature_valid(checkpoint, public_key):
            raise CommandFailed("锚点签名无效：锚点内容被改动，或不是本平台签发"
                                " / the checkpoint's signature is invalid")
        return checkpoint.seq, await checkpoints.verify_against(session, checkpoint.seq, checkpoint.head_hash)

    seq, report = _read(check)
    if report is None:
        raise CommandFailed(f"当前哈希链中没有哈希为 {kept.lower()} 的事件：链条被截断或改写"
                            " / the chain does not hold this head: it was cut or rewritten")
    if not report.ok:
        raise CommandFailed(f"{report.problem} / the chain does not extend the checkpoint")
    signed = "签名有效，" if checkpoint is not None else ""
    click.echo(f"{signed}当前哈希链延续锚点（第 {seq} 号事件）：{report.count} 条事件，末条哈希 {report.last_hash}"
               " / the chain is intact and extends the checkpoint")


@audit.command("checkpoint", help="签发审计链锚点并以 JSON 输出 / Sign a checkpoint of the audit chain, "
                                  "print it as JSON.")
@_fail_cleanly
def audit_checkpoint() -> None:
    import json

    from arena.audit import checkpoints
    from arena.clock import Clock
    from arena.db import create_engine, create_session_maker, transaction

    cfg = settings()
    key = checkpoints.signing_key(cfg)

    async def run() -> tuple[dict[str, object], bool]:
        engine = create_engine(cfg.database_url)
        try:
            async with transaction(create_session_maker(engine)) as session:
                row, made = await checkpoints.make_checkpoint(session, Clock(), key)
                return checkpoints.published(row), made
        finally:
            await engine.dispose()

    published, made = run_async(run)
    click.echo(json.dumps(published, ensure_ascii=False, indent=2))
    click.echo("已签发新锚点 / new checkpoint signed" if made else
               "链头未变，沿用最近的锚点 / head unchanged: the latest checkpoint still holds", err=True)


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
    from arena.review.panel_draw import explain, proof

    panel, proofs, problems = _read(lambda session: proof(session, challenge_id, _purpose(acceptance)))
    if panel.drawn_at is None:
        raise CommandFailed("该榜单还没有抽取评审专家 / not drawn yet")
    click.echo("\n".join(explain(proofs)))
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
    from arena.review.results import verify_results

    report = _read(lambda session: verify_results(session, challenge_id, _purpose(acceptance)))
    click.echo(f"冻结快照 SHA-256 / frozen snapshot: {report.stored_sha256}")
    click.echo(f"重新计算 SHA-256 / recomputed:      {report.recomputed_sha256}")
    _echo_sheet_checks(report)
    if report.failed_sheets:
        named = "、".join(f"#{c.sheet_id}" for c in report.failed_sheets)
        raise CommandFailed(f"评分表 {named} 与提交时的承诺值不符 / sheet {named} does not match its commitment")
    if not report.ok:
        raise CommandFailed("评审结果与评分表不一致 / results do not match the stored sheets")
    click.echo("评审结果核验通过 / results verified")


def _echo_sheet_checks(report: Any) -> None:
    """One line per frozen sheet against its sealed commitment, and each sheet changed since."""
    from arena.review.seal import SheetOutcome

    if not report.sealed:
        click.echo("本次快照没有评分表承诺值（评分封存功能启用之前冻结）"
                   " / no sheet commitments for this snapshot (before sealing was introduced)")
    words = {SheetOutcome.OK: "与提交时的承诺值一致 / matches its commitment",
             SheetOutcome.MISMATCH: "与提交时的承诺值不符 / does not match its commitment",
             SheetOutcome.NO_COMMITMENT: "审计链中没有提交承诺值 / no commitment in the audit chain",
             SheetOutcome.UNSALTED: "封存启用前提交，无承诺值 / submitted before sealing, no commitment"}
    for check in report.sheets:
        mark = "✗" if check.failed else "✓"
        click.echo(f"{mark} 评分表 / sheet #{check.sheet_id} ({check.bid}, {check.expert}): {words[check.outcome]}")
    for bid, expert in report.changed:
        click.echo(f"✗ 评分表 / sheet ({bid}, {expert}): 冻结后存储的评分被改动 / changed since the freeze")


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

@main.command(help="运行后台任务：定时提醒、邮件通知与每日审计链锚点 / Run reminders, e-mail and the daily "
                   "audit checkpoint in the background.")
@click.option("--once", is_flag=True, help="只运行一轮后退出 / run one pass and exit")
@click.option("--interval", type=float, default=None, help="两轮之间的秒数 / seconds between passes")
@_fail_cleanly
def worker(once: bool, interval: float | None) -> None:
    from arena.audit.checkpoints import signing_key
    from arena.clock import clock_for
    from arena.db import create_engine, create_session_maker
    from arena.notify import mail
    from arena.observe.heartbeat import Heartbeat
    from arena.observe.lifecycle import announced
    from arena.observe.logs import dict_config
    from arena.worker import run_forever, run_pass

    cfg = settings()
    smtp = mail.SmtpConfig.from_url(cfg.smtp_url) if cfg.smtp_url else None
    seconds = interval or float(cfg.worker_interval)
    logging.config.dictConfig(dict_config(cfg, level="WARNING"))
    for name in ("arena.worker", "arena.lifecycle"):  # each pass and the start/stop lines
        logging.getLogger(name).setLevel(logging.INFO)
    key = signing_key(cfg)  # a daily audit checkpoint (arena.audit.checkpoints)

    async def run() -> tuple[int, int] | None:
        engine = create_engine(cfg.database_url)
        try:
            if once:
                return await run_pass(create_session_maker(engine), clock_for(cfg.clock_offset), smtp, key)
            heartbeat = Heartbeat(cfg.redis_url, cfg.redis_prefix) if cfg.redis_url else None
            async with announced(engine, "worker"):
                await run_forever(create_session_maker(engine), clock_for(cfg.clock_offset), smtp, seconds, key,
                                  on_pass=heartbeat.beat if heartbeat else None)
            if heartbeat:
                await heartbeat.close()
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
    from arena.observe.logs import server_config
    from arena.observe.metrics import MULTIPROCESS_DIR, prepare_multiprocess_dir

    cfg = settings()
    # Every worker process writes its metrics here and /metrics adds them up (arena.observe.metrics).
    metrics_dir = cfg.var_dir / "metrics"
    prepare_multiprocess_dir(metrics_dir)
    os.environ[MULTIPROCESS_DIR] = str(metrics_dir)
    # granian's own lines in Arena's format (JSON in production), and a worker process that dies
    # is replaced without taking the node down (a crash loop still ends it, for systemd to restart).
    log_config = cfg.var_dir / "granian-logging.json"
    log_config.write_text(json.dumps(server_config(cfg)))
    args = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--host", cfg.host,
            "--port", str(cfg.port), "--workers", str(cfg.workers), "--no-ws", "--log-level", "info",
            "--log-config", str(log_config), "--respawn-failed-workers", "--respawn-interval", "1"]
    if reload:
        args.append("--reload")
    args.append("arena.asgi:application")
    # Replace this process so that a signal to `arena serve` reaches the server itself.
    os.execv(sys.executable, args)  # noqa: S606 - fixed argv, no shell


if __name__ == "__main__":
    main()
