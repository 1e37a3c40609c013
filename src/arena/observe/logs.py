"""Logging: JSON lines in production (one object per record, with the request id), text otherwise.

The request id comes from the proxy's X-Request-ID when it looks like one, or is made here; it
is echoed in the response so a user's complaint ("请求编号 …") leads to the exact log lines.
"""

from __future__ import annotations

import copy
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from litestar.exceptions import HTTPException, InternalServerException
from litestar.logging.config import LoggingConfig, default_handlers
from litestar.types import Scope
from pythonjsonlogger.json import JsonFormatter

from arena.errors import FormErrors, LoginRequired, NotFound, PermissionDenied
from arena.settings import Settings

request_id: ContextVar[str | None] = ContextVar("arena_request_id", default=None)
CLIENT_GONE = "arena.client_gone"
"""Scope key set by arena.web.context when the server told the app that the client hung up."""
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
TEXT_FORMAT = "%(levelname)s %(asctime)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def new_request_id(offered: str | None) -> str:
    """The proxy's id when it is a plausible one (never a header injection), else a fresh one."""
    if offered and _REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id (in the thread that logs it: a queue
    handler formats later, elsewhere, where the context is gone)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


def iso_time(record: logging.LogRecord) -> str:
    """ISO 8601 with the zone (2026-12-03T16:13:13.123+08:00): lines from machines in different
    zones, or read after a daylight-saving change, still sort and compare."""
    return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class ArenaJsonFormatter(JsonFormatter):
    """One JSON object per line; a traceback is the `traceback` field of its line, never lines
    of its own that a log collector would split from the request id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger",
                                            "exc_info": "traceback"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(JSON_FIELDS, *args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_time(record)


class ArenaTextFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_time(record)


QUIET_LOGGERS = ("alembic", "sqlalchemy", "asyncio", "httpx", "fontTools", "weasyprint")
"""Libraries whose INFO lines say nothing an operator acts on (alembic's context lines, font
subsetting): only their warnings and errors are kept."""


def formatters(settings: Settings) -> dict[str, dict[str, Any]]:
    if settings.log_format == "json":
        return {"standard": {"()": ArenaJsonFormatter}}
    return {"standard": {"()": ArenaTextFormatter, "fmt": TEXT_FORMAT}}


def _quiet() -> dict[str, dict[str, Any]]:
    return {name: {"level": "WARNING"} for name in QUIET_LOGGERS}


def dict_config(settings: Settings, level: str = "INFO") -> dict[str, Any]:
    """For logging.config.dictConfig in processes without Litestar (the worker, the CLI)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": formatters(settings),
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "standard",
                                 "filters": ["request_id"]}},
        "root": {"level": level, "handlers": ["console"]},
        "loggers": _quiet(),
    }


def server_config(settings: Settings) -> dict[str, Any]:
    """granian's own logging (its master and its workers' server lines, e.g. a worker that died
    and was replaced): the same format as Arena's lines, on stdout. Written to a file for
    `granian --log-config` by `arena serve`."""
    formatter = ("arena.observe.logs.ArenaJsonFormatter" if settings.log_format == "json"
                 else "arena.observe.logs.ArenaTextFormatter")
    config: dict[str, Any] = {"()": formatter}
    if settings.log_format != "json":
        config["fmt"] = TEXT_FORMAT
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "arena.observe.logs.RequestIdFilter"}},
        "formatters": {"generic": config},
        "handlers": {name: {"class": "logging.StreamHandler", "formatter": "generic", "filters": ["request_id"],
                            "stream": "ext://sys.stdout"} for name in ("console", "access")},
        "loggers": {"_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
                    "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False}},
    }


def client_gone(scope: Scope, exc: BaseException | None) -> bool:
    """`exc` is Litestar's "client disconnected prematurely": the client hung up while its
    request was being read (a closed tab, a cancelled upload). Not a fault: arena.web.context logs
    it as one INFO line, with no traceback."""
    return bool(scope.get(CLIENT_GONE)) and isinstance(exc, InternalServerException)


def log_uncaught(logger: Any, scope: Scope, _traceback: list[str]) -> None:
    """Litestar's traceback for an uncaught exception (outside production), except for a client
    that went away and for a refusal: Litestar's `disable_stack_trace` reads an exception's
    status from its class, so an HTTPException given a 4xx status when raised (the API's
    ApiError) would otherwise be logged as a fault."""
    exc = sys.exc_info()[1]
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return
    if not client_gone(scope, exc):
        logger.exception("Uncaught exception (connection_type=%s, path=%r):", scope["type"], scope["path"])


def litestar_logging(settings: Settings) -> LoggingConfig:
    """Litestar's own logging setup (a queue, so a slow terminal never blocks a request), with
    our formatter and the request id filter on both of its handlers."""
    handlers = copy.deepcopy(default_handlers)
    for handler in handlers.values():
        handler["filters"] = ["request_id"]
    return LoggingConfig(
        filters={"request_id": {"()": RequestIdFilter}},
        formatters=formatters(settings),
        handlers=handlers,
        root={"level": "INFO", "handlers": ["queue_listener"]},
        loggers=_quiet(),
        log_exceptions="always" if not settings.production else "debug",
        exception_logging_handler=log_uncaught,
        # Refusals the pages answer for themselves (login redirect, 403, 404, a form's errors) are
        # not faults: no traceback for them in any environment.
        disable_stack_trace={404, 403, 400, 401, 429, LoginRequired, NotFound, PermissionDenied, FormErrors},
    )
