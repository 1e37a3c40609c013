"""The organizer's qualification page and the inspector's vetting pages. Thin: the rules are in
bids/qualification.py. A veto's reason is rendered only here (organizer and inspector pages)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.bids import qualification
from arena.bids.models import BidStatus
from arena.bids.transitions import STATUS_LABELS
from arena.challenges.models import Challenge
from arena.challenges.phase import PHASE_LABELS, public_phase
from arena.challenges.queries import organizer_challenge
from arena.db import valid_id
from arena.errors import DomainError, FormErrors
from arena.i18n import gettext as _
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.refusals import attempt
from arena.web.templating import render

ORGANIZER = {"roles": {Role.ORGANIZER}}
INSPECTOR = {"roles": {Role.INSPECTOR}}


def _labels() -> dict[str, str]:
    return {s.value: _(label) for s, label in STATUS_LABELS.items()}


async def _qualification_page(request: Request[Any, Any, Any], db: AsyncSession, clock: ClockDep, actor: Actor,
                              challenge_id: int, errors: dict[str, str] | None = None,
                              refusal: str | None = None, bulk: dict[str, Any] | None = None) -> Response[str]:
    challenge = await organizer_challenge(db, actor, challenge_id)
    rows = await qualification.bids_under_review(db, challenge)
    return render(request, "bids/qualification.html", {
        "challenge": challenge, "rows": rows, "labels": _labels(), "errors": errors or {}, "refusal": refusal,
        "phase_label": _(PHASE_LABELS[public_phase(challenge, clock.now())]),
        "done": request.query_params.get("done"), "decided": request.query_params.get("decided"),
        # a refused bulk decision comes back with its selection, reason and the bids in the way
        "bulk": bulk or {"selected": set(), "reason": "", "refused": set()},
    }, status_code=400 if (errors or refusal) else 200)


@get("/organizer/challenges/{challenge_id:int}/qualification", opt={**ORGANIZER, **KEPT})
async def qualification_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                             actor: ActorDep, challenge_id: FromPath[int]) -> Response[str]:
    return await _qualification_page(request, db_session, clock, actor, challenge_id)


@post("/organizer/challenges/{challenge_id:int}/qualification/start", opt=ORGANIZER)
async def start(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    challenge = await organizer_challenge(db_session, actor, challenge_id)
    async with attempt(db_session) as refused:
        await qualification.start(db_session, clock, actor, challenge)
    if refused:
        return await _qualification_page(request, db_session, clock, actor, challenge_id, refused.errors,
                                         refused.message)
    return redirect(request, f"/organizer/challenges/{challenge_id}/qualification")


@post("/organizer/challenges/{challenge_id:int}/qualification/bulk", opt=ORGANIZER)
async def decide_many(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      challenge_id: FromPath[int]) -> Response[str]:
    """批量通过 / 批量不予通过: one decision and one reason for the ticked bids, all or nothing."""
    challenge = await organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    decision = form.raw("decision")
    reason = form.text("reason", _("理由"), required=False, max_length=2000)
    selected = [int(v) for v in form.values("bid") if v.isdigit() and valid_id(int(v))]
    bulk: dict[str, Any] = {"selected": set(selected), "reason": reason, "refused": set()}
    async with attempt(db_session) as refused:
        if decision not in ("qualify", "disqualify"):
            raise DomainError(_("无效的操作"))
        if not form.ok:
            raise FormErrors({"bulk-reason": form.errors["reason"]})
        count = await qualification.decide_many(db_session, clock, actor, challenge, selected,
                                                decision == "qualify", reason)
    if refused:
        if isinstance(refused.error, qualification.BulkRefused):
            bulk["refused"] = {r.bid_id for r in refused.error.refused}
        return await _qualification_page(request, db_session, clock, actor, challenge_id, refused.errors,
                                         refused.message, bulk=bulk)
    return redirect(request, f"/organizer/challenges/{challenge_id}/qualification?decided={count}")


@post("/organizer/challenges/{challenge_id:int}/qualification/{bid_id:int}", opt=ORGANIZER)
async def decide(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int], bid_id: FromPath[int]) -> Response[str]:
    challenge = await organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    decision = form.raw("decision")
    reason = form.text("reason", _("理由"), required=False, max_length=2000)
    async with attempt(db_session) as refused:
        if decision not in ("qualify", "disqualify"):
            raise DomainError(_("无效的操作"))
        if not form.ok:
            raise FormErrors({f"reason-{bid_id}": form.errors["reason"]})
        await qualification.decide(db_session, clock, actor, challenge, bid_id, decision == "qualify", reason)
    if refused:
        return await _qualification_page(request, db_session, clock, actor, challenge_id, refused.errors,
                                         refused.message)
    return redirect(request, f"/organizer/challenges/{challenge_id}/qualification#bid-{bid_id}")


@post("/organizer/challenges/{challenge_id:int}/qualification/finish", opt=ORGANIZER)
async def finish(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int]) -> Response[str]:
    challenge = await organizer_challenge(db_session, actor, challenge_id)
    async with attempt(db_session) as refused:
        review = await qualification.finish(db_session, clock, actor, challenge)
    if refused:
        return await _qualification_page(request, db_session, clock, actor, challenge_id, refused.errors,
                                         refused.message)
    return redirect(request, f"/organizer/challenges/{challenge_id}/qualification?done="
                             f"{'review' if review else 'failed'}")


# --- the inspector ----------------------------------------------------------------------------

@get("/inspector/vetting", opt=INSPECTOR)
async def vetting_list(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep) -> Response[str]:
    challenges = await qualification.challenges_to_vet(db_session, clock)
    return render(request, "bids/vetting_list.html", {"challenges": challenges})


async def _vetting_page(request: Request[Any, Any, Any], db: AsyncSession, clock: ClockDep, challenge: Challenge,
                        errors: dict[str, str] | None = None, refusal: str | None = None) -> Response[str]:
    rows = await qualification.bids_under_review(db, challenge)
    return render(request, "bids/vetting.html", {
        "challenge": challenge, "rows": rows, "labels": _labels(), "errors": errors or {}, "refusal": refusal,
        "vetoed": BidStatus.VETOED.value,
    }, status_code=400 if (errors or refusal) else 200)


@get("/inspector/vetting/{challenge_id:int}", opt=INSPECTOR)
async def vetting_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                       challenge_id: FromPath[int]) -> Response[str]:
    challenge = await qualification.challenge_for_vetting(db_session, clock, challenge_id)
    return await _vetting_page(request, db_session, clock, challenge)


@post("/inspector/vetting/{challenge_id:int}/{bid_id:int}", opt=INSPECTOR)
async def vet(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
              challenge_id: FromPath[int], bid_id: FromPath[int]) -> Response[str]:
    challenge = await qualification.challenge_for_vetting(db_session, clock, challenge_id)
    form = await read_form(request)
    decision = form.raw("decision")
    reason = form.text("reason", _("理由"), required=False, max_length=2000)
    async with attempt(db_session) as refused:
        if decision not in ("veto", "clear"):
            raise DomainError(_("无效的操作"))
        if not form.ok:
            raise FormErrors({f"veto-{bid_id}": form.errors["reason"]})
        await qualification.vet(db_session, clock, actor, challenge, bid_id, decision == "veto", reason)
    if refused:
        challenge = await qualification.challenge_for_vetting(db_session, clock, challenge_id)
        return await _vetting_page(request, db_session, clock, challenge, refused.errors, refused.message)
    return redirect(request, f"/inspector/vetting/{challenge_id}#bid-{bid_id}")


ROUTES = [qualification_page, start, finish, decide_many, decide, vetting_list, vetting_page, vet]
