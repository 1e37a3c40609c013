"""The inbox (站内消息): list, open (marks read, then goes to the link), mark all read, and the
small unread badge that htmx refreshes in the header without a page load."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery

from arena.notify import service
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import redirect, safe_next
from arena.web.page_cache import KEPT
from arena.web.pagination import page_number, paginate
from arena.web.templating import render

LOGIN = {"login": True}


@get("/inbox", opt=LOGIN)
async def inbox(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                unread: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> Response[str]:
    assert actor.user_id is not None
    messages = await paginate(db_session, service.inbox_statement(actor.user_id, bool(unread)), page_number(page))
    return render(request, "notify/inbox.html", {"messages": messages, "params": {"unread": unread or ""},
                                                 "unread": await service.unread_count(db_session, actor.user_id)},
                  fragment="results")


@get("/inbox/unread-count", opt={**LOGIN, **KEPT})
async def unread_badge(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[str]:
    assert actor.user_id is not None
    count = await service.unread_count(db_session, actor.user_id)
    return render(request, "notify/_badge.html", {"count": count}, headers={"cache-control": "no-store"})


@post("/inbox/{notification_id:int}/open", opt=LOGIN)
async def open_message(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                       notification_id: FromPath[int]) -> Response[str]:
    assert actor.user_id is not None
    message = await service.open_notification(db_session, clock, actor.user_id, notification_id)
    return redirect(request, safe_next(message.link, "/inbox"))


@post("/inbox/read-all", opt=LOGIN)
async def read_all(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                   actor: ActorDep) -> Response[str]:
    assert actor.user_id is not None
    await service.mark_all_read(db_session, clock, actor.user_id)
    return redirect(request, "/inbox")


ROUTES = [inbox, unread_badge, open_message, read_all]
