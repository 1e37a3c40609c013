"""Logging: JSON lines in production (one object per record, with the request id), text otherwise.

The request id comes from the proxy's X-Request-ID when it looks like one, or is made here; it
is echoed in the response so a user's complaint ("请求编号 …") leads to the exact log lines.
"""

from __future__ import annotations

import copy
import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from litestar.logging.config import LoggingConfig, default_handlers
from pythonjsonlogger.json import JsonFormatter

from arena.errors import FormErrors, NotFound, PermissionDenied
from arena.settings import Settings
from arena.web.guards import LoginRequired

request_id: ContextVar[str | None] = ContextVar("arena_request_id", default=None)
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


class ArenaJsonFormatter(JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(JSON_FIELDS, *args, **kwargs)


def formatters(settings: Settings) -> dict[str, dict[str, Any]]:
    if settings.log_format == "json":
        return {"standard": {"()": ArenaJsonFormatter}}
    return {"standard": {"format": TEXT_FORMAT}}


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
    }


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
        log_exceptions="always" if not settings.production else "debug",
        # Refusals the pages answer for themselves (login redirect, 403, 404, a form's errors) are
        # not faults: no traceback for them in any environment.
        disable_stack_trace={404, 403, 400, 401, 429, LoginRequired, NotFound, PermissionDenied, FormErrors},
    )
