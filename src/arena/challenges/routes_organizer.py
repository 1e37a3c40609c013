"""The organizer's pages: their challenges, the draft form with its rubric editor, preview,
publish, amend, cancel, new round, and the Excel export. Thin: the rules are in service.py."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from openpyxl.styles import Font
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges import forms, queries, service, stages
from arena.challenges.models import Aggregation, Challenge, ChallengeMode, ChallengeStatus
from arena.challenges.phase import PHASE_LABELS
from arena.challenges.stage_facts import load_stage_facts
from arena.challenges.transitions import STATUS_LABELS
from arena.clock import DISPLAY_TZ
from arena.errors import FormErrors
from arena.excel import new_workbook, workbook_bytes
from arena.i18n import gettext as _
from arena.pagination import clean_search
from arena.units import service as units
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.forms import Form
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.pagination import page_number, paginate
from arena.web.refusals import attempt
from arena.web.templating import render
from arena.web.uploads import receive_upload

ORGANIZER = {"roles": {Role.ORGANIZER}}
BLANK_ROWS = 2  # empty rows offered under each repeating group, so no JavaScript is needed to add one


# --- the list and the export ------------------------------------------------------------------

def _status_options() -> list[tuple[str, str]]:
    return [(s.value, _(STATUS_LABELS[s])) for s in ChallengeStatus]


@get("/organizer/challenges", opt={**ORGANIZER, **KEPT})
async def organizer_list(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         status: FromQuery[str | None] = None, page: FromQuery[str | None] = None,
                         q: FromQuery[str | None] = None) -> Response[str]:
    q = clean_search(q)
    challenges = await paginate(db_session, service.own_challenges(actor, status, q), page_number(page))
    counts = await service.submitted_bid_counts(db_session, [c.id for c in challenges.items])
    now = clock.now()
    rows = [(queries.card_view(c, now), counts.get(c.id, 0)) for c in challenges.items]
    return render(request, "challenges/organizer/list.html", {
        "challenges": challenges, "rows": rows, "params": {"status": status or "", "q": q},
        "status_options": _status_options(), "saved": request.query_params.get("saved"),
    }, fragment="results")


@get("/organizer/challenges/export.xlsx", opt=ORGANIZER)
async def organizer_export(db_session: DbSession, clock: ClockDep, actor: ActorDep,
                           status: FromQuery[str | None] = None, q: FromQuery[str | None] = None) -> Response[bytes]:
    challenges = list((await db_session.scalars(service.own_challenges(actor, status, clean_search(q))
                                                .limit(10000))).unique().all())
    counts = await service.submitted_bid_counts(db_session, [c.id for c in challenges])
    now = clock.now()
    book = new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("我的发榜")
    sheet.append([_("榜单编号"), _("榜单名称"), _("领域"), _("状态"), _("揭榜截止时间"), _("剩余天数"),
                  _("已提交揭榜"), _("经费预算（万元）")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for c in challenges:
        card = queries.card_view(c, now)
        closes = c.bid_closes_at.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M") if c.bid_closes_at else ""
        sheet.append([c.number or "", c.title, c.field.name if c.field else "", _(PHASE_LABELS[card.phase]), closes,
                      card.days_left if card.days_left is not None else "", counts.get(c.id, 0),
                      float(c.budget) if c.budget is not None else ""])
    for column, width in zip("ABCDEFGH", (14, 40, 12, 10, 18, 10, 12, 16), strict=True):
        sheet.column_dimensions[column].width = width
    return Response(workbook_bytes(book),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": "attachment; filename=\"my-challenges.xlsx\""})


# --- the draft form ---------------------------------------------------------------------------

async def _choices(db: AsyncSession) -> dict[str, Any]:
    return {
        "unit_options": await units.unit_options(db), "field_options": await units.field_options(db),
        "rank_options": units.rank_options(),
        "mode_options": [(m.value, queries.mode_label(m)) for m in ChallengeMode],
        "aggregation_options": [(a.value, queries.aggregation_text(a)) for a in Aggregation],
    }


def _empty_values() -> dict[str, Any]:
    draft = forms.ChallengeDraft()
    values: dict[str, Any] = {name: getattr(draft, name) for name in service.SCALARS}
    values |= {"bid_opens_at": "", "bid_closes_at": "", "eligible_fields": [], "eligible_units": [],
               "criteria": [forms.CriterionRow()], "acceptance": [], "milestones": [], "checkpoints": [],
               "tolerance": []}
    return values


def _posted_values(form: Form, draft: forms.ChallengeDraft) -> dict[str, Any]:
    """What the organizer typed, as typed, to give the form back unchanged."""
    values: dict[str, Any] = {name: form.raw(name) for name in service.SCALARS}
    values["blind_review"] = form.boolean("blind_review")
    values["require_frontline"] = form.boolean("require_frontline")
    values["eligible_fields"] = form.values("eligible_fields")
    values["eligible_units"] = form.values("eligible_units")
    values["criteria"] = draft.criteria
    values["acceptance"] = draft.acceptance
    values["milestones"] = [vars(m) for m in draft.milestones]
    values["checkpoints"] = [vars(c) for c in draft.checkpoints]
    values["tolerance"] = [vars(t) for t in draft.tolerance]
    return values


async def _form_page(request: Request[Any, Any, Any], db: AsyncSession, challenge: Challenge | None,
                     values: dict[str, Any], errors: dict[str, str], status_code: int = 200,
                     notice: str | None = None) -> Response[str]:
    return render(request, "challenges/organizer/form.html", {
        "challenge": challenge, "values": values, "errors": errors, "blank_rows": BLANK_ROWS,
        "total": forms.rubric_total(values["criteria"]), "max_score": challenge.max_score if challenge else 100,
        "notice": notice, **await _choices(db),
    }, status_code=status_code)


@get("/organizer/challenges/new", opt=ORGANIZER)
async def new_page(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    return await _form_page(request, db_session, None, _empty_values(), {})


async def _save(request: Request[Any, Any, Any], db: AsyncSession, clock: ClockDep, actor: Actor,
                challenge_id: int | None) -> Response[str]:
    challenge = await queries.organizer_challenge(db, actor, challenge_id) if challenge_id else None
    form = await read_form(request)
    draft = forms.read_draft(form)
    action = form.raw("rubric_action")
    values = _posted_values(form, draft)
    if action:  # the no-JavaScript rubric editor: apply the button, give the form back (nothing saved)
        editing = forms.rows(form, "criteria", forms.CriterionRow, keep_blank=True)
        values["criteria"] = forms.apply_rubric_action(editing, action)
        return await _form_page(request, db, challenge, values, {})
    async with attempt(db, field="title") as refused:
        if not form.ok:
            raise FormErrors(form.errors)
        if challenge is None:
            challenge = await service.create_draft(db, clock, actor, draft)
        else:
            await service.update_draft(db, clock, actor, challenge, draft)
        saved_id = challenge.id
    if refused:
        challenge = await queries.organizer_challenge(db, actor, challenge_id) if challenge_id else None
        return await _form_page(request, db, challenge, values, refused.errors, status_code=400)
    return redirect(request, f"/organizer/challenges/{saved_id}?saved=1")


@post("/organizer/challenges/new", opt=ORGANIZER)
async def create(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                 actor: ActorDep) -> Response[str]:
    return await _save(request, db_session, clock, actor, None)


@get("/organizer/challenges/{challenge_id:int}/edit", opt=ORGANIZER)
async def edit_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                    challenge_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    if challenge.status != ChallengeStatus.DRAFT.value:
        return redirect(request, f"/organizer/challenges/{challenge.id}/amend", status_code=303)
    values = service.draft_from_challenge(challenge)
    return await _form_page(request, db_session, challenge, values, {})


@post("/organizer/challenges/{challenge_id:int}/edit", opt=ORGANIZER)
async def update(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int]) -> Response[str]:
    return await _save(request, db_session, clock, actor, challenge_id)


@post("/organizer/challenges/rubric", opt=ORGANIZER)
async def rubric_fragment(request: Request[Any, Any, Any]) -> Response[str]:
    """htmx: the rubric editor after a button (add, remove, move) or an edit of the points.
    Stateless — nothing is saved until the organizer saves the draft."""
    form = await read_form(request)
    action = form.raw("rubric_action")
    criteria = forms.rows(form, "criteria", forms.CriterionRow, keep_blank=bool(action))
    if action:
        criteria = forms.apply_rubric_action(criteria, action)
    elif not criteria:
        criteria = [forms.CriterionRow()]
    max_score = form.decimal("max_score", "max", required=False) or 100
    return render(request, "challenges/organizer/_rubric.html", {
        "values": {"criteria": criteria}, "errors": {}, "total": forms.rubric_total(criteria),
        "max_score": max_score, "frozen": False,
    })


# --- one challenge: manage, preview, publish, amend, cancel, new round ------------------------

async def _manage_page(request: Request[Any, Any, Any], db: AsyncSession, clock: ClockDep, actor: Actor,
                       challenge_id: int, refusal: str | None = None) -> Response[str]:
    challenge = await queries.organizer_challenge(db, actor, challenge_id)
    now = clock.now()
    view = queries.challenge_view(challenge, now, await queries.load_rounds(db, challenge))
    counts = await service.submitted_bid_counts(db, [challenge.id])
    draft = challenge.status == ChallengeStatus.DRAFT.value
    progress = stages.progress(await load_stage_facts(db, challenge, now))
    return render(request, "challenges/organizer/manage.html", {
        "challenge": challenge, "view": view, "bid_count": counts.get(challenge.id, 0), "refusal": refusal,
        "progress": progress, "actions": stages.organizer_actions(progress),
        "status_label": _(STATUS_LABELS[ChallengeStatus(challenge.status)]),
        "checklist": service.publish_checklist(challenge, now) if draft else [],
        "flash": None if refusal else (request.query_params.get("saved") or request.query_params.get("done")),
    }, status_code=400 if refusal else 200)


@get("/organizer/challenges/{challenge_id:int}", opt={**ORGANIZER, **KEPT})
async def manage(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int]) -> Response[str]:
    return await _manage_page(request, db_session, clock, actor, challenge_id)


@get("/organizer/challenges/{challenge_id:int}/preview", opt=ORGANIZER)
async def preview(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                  challenge_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    view = queries.challenge_view(challenge, clock.now(), await queries.load_rounds(db_session, challenge))
    return render(request, "challenges/organizer/preview.html", {"challenge": challenge, "view": view,
                                                                  "eligibility": None})


@post("/organizer/challenges/{challenge_id:int}/publish", opt=ORGANIZER)
async def publish(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                  challenge_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    async with attempt(db_session) as refused:
        await service.publish(db_session, clock, actor, challenge)
    if refused:
        return await _manage_page(request, db_session, clock, actor, challenge_id, refused.summary)
    return redirect(request, f"/organizer/challenges/{challenge.id}?done=published")


def _amend_values(challenge: Challenge) -> dict[str, Any]:
    values = service.draft_from_challenge(challenge)
    values["reason"] = ""
    return values


async def _amend_page(request: Request[Any, Any, Any], db: AsyncSession, challenge: Challenge,
                      values: dict[str, Any], errors: dict[str, str], status_code: int = 200) -> Response[str]:
    frozen = await service.has_submitted_bids(db, challenge)
    return render(request, "challenges/organizer/amend.html", {
        "challenge": challenge, "values": values, "errors": errors, "frozen": frozen,
        "total": forms.rubric_total(values["criteria"]), "max_score": challenge.max_score,
    }, status_code=status_code)


@get("/organizer/challenges/{challenge_id:int}/amend", opt=ORGANIZER)
async def amend_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                     challenge_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    return await _amend_page(request, db_session, challenge, _amend_values(challenge), {})


@post("/organizer/challenges/{challenge_id:int}/amend", opt=ORGANIZER)
async def amend(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    texts = {name: forms.plain_text(form, name, form.text(name, name, required=False, max_length=forms.TEXT_MAX))
             for name in service.AMENDABLE_TEXTS}
    reason = form.text("reason", _("更正原因"), required=False, max_length=2000)
    closes = forms.local_datetime(form, "bid_closes_at", _("揭榜截止时间"))
    criteria = forms.rows(form, "criteria", forms.CriterionRow)
    values = _amend_values(challenge) | texts | {"reason": reason, "bid_closes_at": form.raw("bid_closes_at"),
                                                 "criteria": criteria or _amend_values(challenge)["criteria"]}
    action = form.raw("rubric_action")
    if action:
        values["criteria"] = forms.apply_rubric_action(criteria, action)
        return await _amend_page(request, db_session, challenge, values, {})
    async with attempt(db_session, field="reason") as refused:
        if not form.ok:
            raise FormErrors(form.errors)
        change = service.AmendmentDraft(reason=reason, texts=texts, bid_closes_at=closes,
                                        criteria=criteria if form.raw("rubric_present") else None)
        await service.amend(db_session, clock, actor, challenge, change)
    if refused:
        challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
        return await _amend_page(request, db_session, challenge, values, refused.errors, status_code=400)
    return redirect(request, f"/organizer/challenges/{challenge.id}?done=amended")


@get("/organizer/challenges/{challenge_id:int}/cancel", opt=ORGANIZER)
async def cancel_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                      challenge_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    return render(request, "challenges/organizer/cancel.html", {"challenge": challenge, "values": {"reason": ""},
                                                                 "errors": {}})


@post("/organizer/challenges/{challenge_id:int}/cancel", opt=ORGANIZER)
async def cancel(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 challenge_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    form = await read_form(request)
    reason = form.text("reason", _("撤榜原因"), max_length=2000)
    async with attempt(db_session, field="reason") as refused:
        if not form.ok:
            raise FormErrors(form.errors)
        await service.cancel(db_session, clock, actor, challenge, reason)
    if refused:
        challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
        return render(request, "challenges/organizer/cancel.html", {
            "challenge": challenge, "values": {"reason": form.raw("reason")}, "errors": refused.errors},
            status_code=400)
    return redirect(request, f"/organizer/challenges/{challenge.id}?done=cancelled")


@post("/organizer/challenges/{challenge_id:int}/new-round", opt=ORGANIZER)
async def new_round(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                    challenge_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    async with attempt(db_session) as refused:
        copy = await service.new_round(db_session, clock, actor, challenge)
    if refused:
        return await _manage_page(request, db_session, clock, actor, challenge_id, refused.summary)
    return redirect(request, f"/organizer/challenges/{copy.id}/edit")


@post("/organizer/challenges/{challenge_id:int}/attachments", opt=ORGANIZER)
async def upload_attachment(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep, challenge_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    async with attempt(db_session) as refused:
        title, stored = await receive_upload(request, db_session, actor)
        await service.add_attachment(db_session, clock, actor, challenge, title, stored)
    if refused:
        return await _manage_page(request, db_session, clock, actor, challenge_id, refused.summary)
    return redirect(request, f"/organizer/challenges/{challenge_id}?done=attached")


@post("/organizer/challenges/{challenge_id:int}/attachments/{attachment_id:int}/delete", opt=ORGANIZER)
async def delete_attachment(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep, challenge_id: FromPath[int],
                            attachment_id: FromPath[int]) -> Response[str]:
    challenge = await queries.organizer_challenge(db_session, actor, challenge_id)
    async with attempt(db_session) as refused:
        await service.remove_attachment(db_session, clock, actor, challenge, attachment_id)
    if refused:
        return await _manage_page(request, db_session, clock, actor, challenge_id, refused.summary)
    return redirect(request, f"/organizer/challenges/{challenge_id}?done=detached")


ROUTES = [organizer_list, organizer_export, new_page, create, rubric_fragment, edit_page, update, manage, preview,
          publish, amend_page, amend, cancel_page, cancel, new_round, upload_attachment, delete_attachment]
