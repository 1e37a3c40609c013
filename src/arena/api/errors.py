"""JSON errors for /api/v1: `{"error": {"code": "…", "message": "…"}}`, never an HTML page.

The app's exception handlers (web/errors.py) answer people with pages. `json_for_api` wraps each
of them so that a request under /api/v1/ gets this JSON body instead — whether the error came from
an API route, the rate limiter in front of it, or the router itself (an unknown path, a POST
to a GET-only endpoint). Messages follow the request's Accept-Language like the pages do
(Simplified Chinese by default, English for `Accept-Language: en`); `code` never changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from arena.errors import DomainError, NotFound, PermissionDenied
from arena.i18n import gettext as _

logger = logging.getLogger("arena.api")

API_PREFIX = "/api/v1"

Handler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]


class ErrorDetail(msgspec.Struct):
    code: str
    message: str


class ErrorBody(msgspec.Struct):
    error: ErrorDetail


class ApiError(HTTPException):
    """An API refusal with its HTTP status and stable `code` (raised by the API's guard and rules).
    An HTTPException so that Litestar logs it by its status (no stack trace for 4xx)."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail=message, status_code=status, headers=dict(headers or {}))
        self.code = code
        self.message = message


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, {"WWW-Authenticate": "Bearer"})


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def error_response(status: int, code: str, message: str,
                   headers: Mapping[str, str] | None = None) -> Response[ErrorBody]:
    return Response(ErrorBody(ErrorDetail(code, message)), status_code=status, media_type="application/json",
                    headers=dict(headers or {}))


def _validation_message(exc: ValidationException) -> str:
    """Name the query or path parameters that were refused (Litestar lists them in `extra`)."""
    keys = [str(item.get("key")) for item in exc.extra or [] if isinstance(item, dict) and item.get("key")]
    if keys:
        return _("请求参数无效：{names}").format(names="、".join(sorted(set(keys))))
    return _("请求参数无效")


def _retry_after(exc: HTTPException) -> dict[str, str]:
    """Litestar's rate limiter sets RateLimit-* headers; clients also expect Retry-After (seconds)."""
    headers = dict(exc.headers or {})
    reset = next((v for k, v in headers.items() if k.lower() == "ratelimit-reset"), "60")
    headers["Retry-After"] = str(max(1, int(reset))) if str(reset).isdigit() else "60"
    return headers


def api_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    """The JSON answer for any exception raised while serving an /api/v1 path."""
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.code, exc.message, exc.headers)
    if isinstance(exc, NotFound):
        return error_response(404, "not_found", exc.message or _("未找到"))
    if isinstance(exc, PermissionDenied):
        return error_response(403, "forbidden", exc.message)
    if isinstance(exc, DomainError):
        return error_response(400, "bad_request", exc.message)
    if isinstance(exc, ValidationException):
        return error_response(400, "bad_request", _validation_message(exc))
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return _http_error(exc)
    logger.exception("unhandled API error on %s %s", request.method, request.url.path, exc_info=exc)
    message = _("服务器处理时出错，已记录。请稍后重试；如果问题持续，请联系系统管理员。")
    return error_response(500, "server_error", message)


def _http_error(exc: HTTPException) -> Response[ErrorBody]:
    status = exc.status_code
    if status == 404:
        return error_response(404, "not_found", _("接口不存在"))
    if status == 405:
        return error_response(405, "method_not_allowed", _("接口只支持 GET 请求"), {"Allow": "GET, HEAD"})
    if status == 429:
        return error_response(429, "rate_limited", _("请求过于频繁，请稍后再试。"), _retry_after(exc))
    if status == 401:
        return error_response(401, "unauthorized", _("访问令牌无效或已吊销"), {"WWW-Authenticate": "Bearer"})
    if status == 403:
        return error_response(403, "forbidden", _("你没有执行此操作的权限。"))
    return error_response(status, "bad_request", _("请求参数无效"))


def json_for_api(handlers: Mapping[Any, Handler]) -> dict[Any, Handler]:
    """The same handlers, answering JSON for /api/v1 paths and as before everywhere else."""
    return {key: _for_api(handler) for key, handler in handlers.items()}


def _for_api(handler: Handler) -> Handler:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        if is_api_path(request.url.path):
            return api_error(request, exc)
        return handler(request, exc)

    handle.__name__ = getattr(handler, "__name__", "handle")
    return handle
