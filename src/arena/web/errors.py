"""Friendly error pages in the user's language: never a traceback.

Domain errors become 404/403/400 pages; anything unexpected is logged with its request id and
answered with a 500 page. htmx requests get the same message as a small fragment.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from redis.exceptions import RedisError

from arena.errors import DomainError, LoginRequired, NotFound, PermissionDenied
from arena.i18n import gettext as _
from arena.observe import logs
from arena.observe.availability import redis_unavailable
from arena.web.templating import render

logger = logging.getLogger("arena.web")


def _page(request: Request[Any, Any, Any], status: int, title: str, message: str) -> Response[str]:
    if request.headers.get("hx-request") == "true":
        return render(request, "errors/_message.html", {"title": title, "message": message}, status_code=status)
    return render(request, "errors/error.html", {"status": status, "title": title, "message": message},
                  status_code=status)


def login_redirect(request: Request[Any, Any, Any], _exc: Exception) -> Response[str]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target)}"
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=204, headers={"HX-Redirect": location})
    return Response("", status_code=303, headers={"Location": location})


def not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    message = exc.message if isinstance(exc, NotFound) and exc.message else _("你要找的页面不存在，或你无权查看。")
    return _page(request, 404, _("未找到"), message)


def forbidden(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    if isinstance(exc, PermissionDenied):
        message = exc.message
    elif "csrf" in str(getattr(exc, "detail", "")).lower():
        message = _("页面已过期或来源无法验证，请刷新页面后重试。")
    else:
        message = _("你没有执行此操作的权限。")
    return _page(request, 403, _("无权访问"), message)


def bad_request(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    message = exc.message if isinstance(exc, DomainError) else _("提交的内容无法处理，请检查后重试。")
    return _page(request, 400, _("请求有误"), message)


def http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 405:
        return _page(request, 405, _("不支持的操作"), _("此页面不支持这种请求方式。"))
    if status == 413:
        return _page(request, 413, _("文件过大"), _("上传的内容超过大小限制（单个文件不超过 20 MB），未保存任何内容。"))
    if status == 429:
        return _page(request, 429, _("请求过于频繁"), _("请稍后再试。"))
    if status >= 500:
        return server_error(request, exc)
    return _page(request, status, _("请求有误"), _("提交的内容无法处理，请检查后重试。"))


CLIENT_CLOSED_REQUEST = 499
"""What the access log and metrics record for a client that hung up (nginx's convention)."""


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    if logs.client_gone(request.scope, exc):
        return Response("", status_code=CLIENT_CLOSED_REQUEST)  # nobody to answer; logged as INFO
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    try:
        message = _("服务器处理时出错，已记录。请稍后重试；如果问题持续，请联系系统管理员。")
        return _page(request, 500, _("系统错误"), message)
    except Exception:  # the error page itself must never fail
        logger.exception("error page failed")
        return Response("500", status_code=HTTP_500_INTERNAL_SERVER_ERROR, media_type="text/plain")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    LoginRequired: login_redirect,
    NotAuthorizedException: login_redirect,
    NotFound: not_found,
    NotFoundException: not_found,
    PermissionDenied: forbidden,
    PermissionDeniedException: forbidden,
    DomainError: bad_request,
    ValidationException: bad_request,
    HTTPException: http_error,
    HTTP_500_INTERNAL_SERVER_ERROR: server_error,
    RedisError: redis_unavailable,  # sessions or rate limits unreachable: 503, not 500
    Exception: server_error,
}
