"""Public feeds: the Atom feed of what was made public, and a challenge's deadlines as an
iCalendar file. Thin: the formats and what they show are in challenges/feeds.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from arena.challenges import feeds, policy, queries
from arena.errors import NotFound
from arena.files.store import content_disposition
from arena.i18n import gettext as _
from arena.web import public_cache
from arena.web.deps import ClockDep, DbSession


def _base_url(request: Request[Any, Any, Any]) -> str:
    """Links in feeds are absolute: in production the address people reach Arena at
    (ARENA_PUBLIC_URL, required there); in development the address this request came to, so a
    demo on any port links to itself."""
    settings = request.app.state.settings
    if settings.production:
        return str(settings.public_url).rstrip("/")
    return str(request.base_url).rstrip("/")


@get("/feed.atom", name="atom_feed")
async def atom_feed(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep) -> Response[str]:
    base = _base_url(request)

    async def build() -> tuple[public_cache.Body, list[datetime | None]]:
        entries = await feeds.feed_entries(db_session, base)
        body = feeds.atom_feed(entries, base_url=base, title=_("揭榜挂帅 · 榜单动态"),
                               updated=entries[0].updated if entries else clock.now())
        return public_cache.Body(body), []

    # the same for everyone: kept per process until the next write (arena.web.public_cache)
    kept = await public_cache.body(request, db_session, clock.now(), ("feed", base), build)
    return Response(kept.html, media_type=feeds.ATOM_TYPE)


@get("/challenges/{challenge_id:int}/calendar.ics", name="challenge_calendar")
async def calendar(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                   challenge_id: FromPath[int]) -> Response[str]:
    """Public challenges only: a draft's calendar is not found, even for its organizer."""
    base = _base_url(request)

    async def build() -> tuple[public_cache.Body, list[datetime | None]]:
        challenge = await queries.load_challenge_detail(db_session, challenge_id)
        if challenge is None or not policy.is_public(challenge.status):
            raise NotFound(_("该榜单不存在，或尚未发布。"))
        events = await feeds.calendar_events(db_session, challenge, base)
        return public_cache.Body(feeds.ics_calendar(events, name=challenge.title, stamp=clock.now())), []

    # the same for everyone: kept per process until the next write (arena.web.public_cache)
    kept = await public_cache.body(request, db_session, clock.now(), ("calendar", challenge_id, base), build)
    name = f"challenge-{challenge_id}.ics"
    return Response(kept.html, media_type=feeds.ICS_TYPE, headers={
        "content-disposition": content_disposition(name, name)})


ROUTES = [atom_feed, calendar]
