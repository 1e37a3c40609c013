"""The public side of challenges: the catalogue, a challenge's page, its announcement PDF, and
the cadre's list of challenges they may bid on. Readable without logging in (drafts excepted)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from arena import i18n
from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges import catalogue_cache, queries, questions, stages
from arena.challenges.catalogue_cache import Rendered
from arena.challenges.documents import announcement_filename, announcement_pdf
from arena.challenges.eligibility import ChallengeRules, Verdict, check_eligibility
from arena.challenges.models import Challenge, ChallengeMode, ChallengeStatus
from arena.challenges.phase import PHASE_LABELS
from arena.challenges.queries import PHASE_FILTERS, CatalogueFilters, Sort
from arena.challenges.stage_facts import load_stage_facts
from arena.clock import Clock
from arena.data_versions import VersionedCache
from arena.errors import NotFound
from arena.execution import public as execution_public
from arena.execution.transitions import labels as execution_labels
from arena.files import store
from arena.i18n import gettext as _
from arena.publicity.service import current_publicity
from arena.review.models import PanelPurpose
from arena.review.service import panel_of
from arena.web import public_cache
from arena.web.deps import ActorDep, ClockDep, DbSession, MaybeActor
from arena.web.page_cache import KEPT
from arena.web.pagination import page_number
from arena.web.templating import render, render_html

AFTER_QUALIFICATION = frozenset({ChallengeStatus.REVIEWING.value, ChallengeStatus.PUBLICITY.value,
                                 ChallengeStatus.EXECUTING.value, ChallengeStatus.ACCEPTED.value,
                                 ChallengeStatus.FAILED.value})

CADRE = {"roles": {Role.CADRE}}


def _sort_options() -> list[tuple[str, str]]:
    return [(Sort.DEADLINE.value, _("按截止时间")), (Sort.PUBLISHED.value, _("按发布时间（最新在前）"))]


def _phase_options() -> list[tuple[str, str]]:
    return [(phase.value, _(PHASE_LABELS[phase])) for phase in PHASE_FILTERS]


def _mode_options() -> list[tuple[str, str]]:
    return [(mode.value, queries.mode_label(mode)) for mode in ChallengeMode]


@get("/challenges", name="challenge_catalogue", opt=KEPT)
async def catalogue(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                    q: FromQuery[str | None] = None, field: FromQuery[str | None] = None,
                    unit: FromQuery[str | None] = None, phase: FromQuery[str | None] = None,
                    mode: FromQuery[str | None] = None, sort: FromQuery[str | None] = None,
                    page: FromQuery[str | None] = None) -> Response[str]:
    filters = CatalogueFilters.from_query(q=q, field=field, unit=unit, phase=phase, mode=mode, sort=sort)
    now = clock.now()
    fragment = request.headers.get("hx-request") == "true"
    cache: VersionedCache[Rendered] = request.app.state.catalogue_cache
    key = (i18n.current_locale.get(), tuple(sorted(filters.params().items())), page_number(page))
    version = await catalogue_cache.current_version(db_session)

    async def results() -> tuple[Rendered, datetime | None]:
        found = await queries.search_catalogue(db_session, filters, page_number(page), now)
        html = render_html(request, "challenges/public/_catalogue_results.html", {
            "results": found, "cards": [queries.card_view(c, now) for c in found.items],
            "filters": filters, "params": filters.params()})
        return Rendered(html), await catalogue_cache.valid_until(db_session, now)

    entry = await cache.get_or_build(key, version, now, results)
    shown = entry.value
    if not fragment and shown.options is None:
        shown.options = await queries.filter_options(db_session)
    return render(request, "challenges/public/catalogue.html", {
        # our own template's output, escaped as it was rendered
        "results_html": Markup(shown.results_html),  # noqa: S704
        "filters": filters, "options": shown.options,
        "phase_options": _phase_options(), "mode_options": _mode_options(), "sort_options": _sort_options(),
    }, fragment="results")


@get("/challenges/eligible", opt={**CADRE, **KEPT}, name="eligible_challenges")
async def eligible(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                   page: FromQuery[str | None] = None) -> Response[str]:
    now = clock.now()
    cadre = await queries.load_cadre_facts(db_session, actor.user_id) if actor.user_id else None
    if cadre is None:
        return render(request, "challenges/public/eligible.html", {"linked": False, "results": None, "rows": []})
    # Kept like the catalogue's results (catalogue_cache), per cadre: the key holds every fact
    # the rules read, so a changed rank, unit or field is a new entry, never a stale one.
    number = page_number(page)
    cache: VersionedCache[str] = request.app.state.eligible_cache
    key = (i18n.current_locale.get(), cadre, number)
    version = await catalogue_cache.current_version(db_session)

    async def results() -> tuple[str, datetime | None]:
        found = await queries.eligible_challenges(db_session, cadre, number, now)
        rows = [(queries.card_view(c, now), check_eligibility(ChallengeRules.from_challenge(c), cadre, now))
                for c in found.items]
        html = render_html(request, "challenges/public/_eligible_results.html",
                           {"results": found, "rows": rows, "params": {}})
        return html, await catalogue_cache.valid_until(db_session, now)

    entry = await cache.get_or_build(key, version, now, results)
    return render(request, "challenges/public/eligible.html",
                  # our own template's output, escaped as it was rendered
                  {"linked": True, "results_html": Markup(entry.value)}, fragment="results")  # noqa: S704


async def _visible(db: AsyncSession, challenge_id: int, actor: Actor | None) -> Challenge:
    return await queries.get_visible_challenge(db, challenge_id, actor)


async def _eligibility(db: AsyncSession, actor: Actor | None, challenge: Challenge,
                       now: datetime) -> tuple[str, Verdict | None]:
    """("", None) for visitors, non-cadres and challenges past their bid window's stage;
    ("unlinked", None) for a cadre login without a cadre record; ("checked", verdict) otherwise."""
    if actor is None or actor.user_id is None or not actor.has(Role.CADRE):
        return "", None
    if challenge.status != ChallengeStatus.PUBLISHED:  # drafts, and stages where bidding is long over
        return "", None
    cadre = await queries.load_cadre_facts(db, actor.user_id)
    if cadre is None:
        return "unlinked", None
    return "checked", check_eligibility(ChallengeRules.from_challenge(challenge), cadre, now)


async def _detail_context(db: AsyncSession, clock: Clock, viewer: Actor | None, challenge: Challenge) -> dict[str, Any]:
    """What `_detail_body.html` shows of `challenge` to `viewer` (None: anyone)."""
    now = clock.now()
    view = queries.challenge_view(challenge, now, await queries.load_rounds(db, challenge))
    state, verdict = await _eligibility(db, viewer, challenge, now)
    asked = await questions.panel(db, challenge, viewer, now)  # 答疑 (_questions.html)
    # The draw's commitment is public from the moment it is made (DESIGN §5).
    later = challenge.status in AFTER_QUALIFICATION
    draw_panel = await panel_of(db, challenge.id) if later else None
    publicity = await current_publicity(db, challenge.id) if later else None
    acceptance_panel = await panel_of(db, challenge.id, PanelPurpose.ACCEPTANCE) if challenge.status in (
        ChallengeStatus.EXECUTING.value, ChallengeStatus.ACCEPTED.value) else None
    # the stage stepper and, after the award, the projects as the public may follow them (_progress.html)
    stage_progress = stages.progress(await load_stage_facts(db, challenge, now))
    follow = await execution_public.public_follow(db, challenge, clock.today())
    return {"view": view, "challenge": challenge, "eligibility_state": state, "verdict": verdict, "qa": asked,
            "draw_panel": draw_panel, "publicity": publicity, "acceptance_panel": acceptance_panel,
            "stage_progress": stage_progress, "follow": follow, "execution_labels": execution_labels()}


def _changes_by_itself(challenge: Challenge, context: dict[str, Any]) -> list[datetime | None]:
    """When the page could change with no write (besides midnight): the window opening or
    closing (phase, stepper, 答疑) and the 公示 ending."""
    publicity = context["publicity"]
    return [challenge.bid_opens_at, challenge.bid_closes_at, publicity.ends_at if publicity else None]


@get("/challenges/{challenge_id:int}", name="challenge_detail", opt=KEPT)
async def detail(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, viewer: MaybeActor,
                 challenge_id: FromPath[int]) -> Response[str]:
    if public_cache.is_anonymous_plain_get(request, viewer):
        async def build() -> tuple[public_cache.Body, list[datetime | None]]:
            challenge = await _visible(db_session, challenge_id, None)
            context = await _detail_context(db_session, clock, None, challenge)
            html = render_html(request, "challenges/public/_detail_body.html", context)
            return public_cache.Body(html, challenge.title), _changes_by_itself(challenge, context)

        # the same for every visitor: kept per process until a write or the clock changes it
        kept = await public_cache.body(request, db_session, clock.now(), ("challenge", challenge_id), build)
        # our own template's output, escaped as it was rendered
        return render(request, "challenges/public/detail.html",
                      {"title": kept.title, "body_html": Markup(kept.html)})  # noqa: S704
    challenge = await _visible(db_session, challenge_id, viewer)
    context = await _detail_context(db_session, clock, viewer, challenge)
    return render(request, "challenges/public/detail.html", {**context, "title": challenge.title})


@get("/challenges/{challenge_id:int}/announcement.pdf", name="challenge_announcement")
async def announcement(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, viewer: MaybeActor,
                       challenge_id: FromPath[int]) -> Response[bytes]:
    now = clock.now()
    challenge = await _visible(db_session, challenge_id, viewer)
    view = queries.challenge_view(challenge, now, await queries.load_rounds(db_session, challenge))
    pdf = await announcement_pdf(request.app.state.jinja, view, now,
                                 answers=await questions.published_answers(db_session, challenge.id))
    ascii_name, name = announcement_filename(view)
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": store.disposition(ascii_name, name)})


@get("/challenges/{challenge_id:int}/attachments/{attachment_id:int}", name="challenge_attachment")
async def attachment(request: Request[Any, Any, Any], db_session: DbSession, viewer: MaybeActor,
                     challenge_id: FromPath[int], attachment_id: FromPath[int]) -> Response[bytes]:
    """A public challenge's attachment (a draft's only to its organizer), under a safe name."""
    challenge = await _visible(db_session, challenge_id, viewer)
    found = next((a for a in challenge.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound(_("附件不存在"))
    data = store.load(request.app.state.settings.files_dir, found.file.sha256)
    fallback = f"attachment-{found.id}.{found.file.filename.rsplit('.', 1)[-1]}"
    return Response(data, media_type=found.file.media_type, headers={
        "content-disposition": store.content_disposition(found.file.filename, fallback),
        "x-content-type-options": "nosniff", "cache-control": "private, max-age=300"})


ROUTES = [catalogue, eligible, detail, announcement, attachment]
