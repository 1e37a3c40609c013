"""The expert's pages: invitations, panels, score sheets with autosave, the chair's view,
conflicts and fields. Thin: the rules are in review/seats.py, review/sheets.py and review/pool.py.

Blind review: every template here gets the bid through `review.sheets.bid_view` or by its review
code only; nothing here loads a bidder's name for a blind challenge.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role
from arena.clock import DISPLAY_TZ
from arena.db import READS_FIRST, write_from_here
from arena.errors import DomainError, NotFound, PermissionDenied
from arena.execution.transitions import labels as execution_labels
from arena.i18n import gettext as _
from arena.review import documents, due_dates, opinion, overview, policy, pool, seats, service
from arena.review import sheets as review_sheets
from arena.review.models import PanelStatus, SheetStatus
from arena.review.routes_panel import ROUTES as PANEL_ROUTES
from arena.review.transitions import PANEL_LABELS, SEAT_LABELS, SHEET_LABELS
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect, send
from arena.web.page_cache import KEPT
from arena.web.refusals import attempt
from arena.web.templating import render

EDITOR_TOKEN = re.compile(r"[0-9a-f]{16}")

EXPERT = {"roles": {Role.EXPERT}}


def _labels() -> dict[str, dict[str, str]]:
    return {"panel": {k.value: _(v) for k, v in PANEL_LABELS.items()},
            "seat": {k.value: _(v) for k, v in SEAT_LABELS.items()},
            "sheet": {k.value: _(v) for k, v in SHEET_LABELS.items()}}


@get("/review", opt={**EXPERT, **KEPT})
async def my_review(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                    actor: ActorDep) -> Response[str]:
    try:
        rows, refusal = await review_sheets.my_seats(db_session, actor), None
    except PermissionDenied as exc:  # an expert account not linked to the pool: say so, kindly
        rows, refusal = [], exc.message
    return render(request, "review/home.html", {"rows": rows, "labels": _labels(), "errors": {},
                                                "done": request.query_params.get("done"), "refusal": refusal,
                                                "reason_value": {}} | due_dates.expert_context(clock))


@post("/review/seats/{seat_id:int}", opt=EXPERT)
async def answer(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 seat_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    reason = form.text("reason", _("谢绝理由"), required=False, max_length=1000)
    async with attempt(db_session) as refused:
        if form.raw("answer") not in ("accept", "decline"):
            raise DomainError(_("无效的操作"))
        await seats.answer(db_session, clock, actor, seat_id, form.raw("answer") == "accept", reason)
    if refused:  # the seat's one field is its reason
        errors = {f"reason-{seat_id}": refused.summary} if refused.errors else {}
        return render(request, "review/home.html", {
            "rows": await review_sheets.my_seats(db_session, actor), "labels": _labels(), "errors": errors,
            "reason_value": {seat_id: reason}, "refusal": refused.message, "done": None}
            | due_dates.expert_context(clock), status_code=400)
    return redirect(request, "/review?done=" + form.raw("answer"))


async def _panel_page(request: Request[Any, Any, Any], db: AsyncSession, actor: Any, panel_id: int,
                      errors: dict[str, str] | None = None, refusal: str | None = None,
                      values: dict[str, str] | None = None) -> Response[str]:
    panel, challenge, seat, expert = await review_sheets.expert_panel(db, actor, panel_id)
    sheets = await review_sheets.my_sheets(db, panel, expert)
    chair = policy.may_chair(actor, service.seat_facts(seat, expert))
    chair_rows = (await review_sheets.chair_view(db, actor, panel_id))[2] if chair else []
    # The chair's 专家组综合意见 (review.opinion): writable once every sheet is in.
    ready = await opinion.readiness(db, panel) if chair and panel.status == PanelStatus.DRAWN.value else None
    return render(request, "review/panel.html", {
        "panel": panel, "challenge": challenge, "seat": seat, "sheets": sheets, "chair_rows": chair_rows,
        "opinion_ready": ready, "values": values or {}, **await _due_context(request, db, panel, chair),
        "labels": _labels(), "errors": errors or {}, "refusal": refusal,
        "done": request.query_params.get("done")}, status_code=400 if (errors or refusal) else 200)


async def _due_context(request: Request[Any, Any, Any], db: AsyncSession, panel: Any, chair: bool) -> dict[str, Any]:
    """The countdown (review.deadlines), and for the chair the members to chase (催评)."""
    clock = request.app.state.clock
    return due_dates.expert_context(clock) | {
        "chase_rows": await due_dates.chair_chase_rows(db, clock, panel) if chair else []}


@get("/review/panels/{panel_id:int}", opt={**EXPERT, **KEPT})
async def panel_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                     panel_id: FromPath[int]) -> Response[str]:
    return await _panel_page(request, db_session, actor, panel_id)


@post("/review/panels/{panel_id:int}/reopen/{sheet_id:int}", opt=EXPERT)
async def reopen(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 panel_id: FromPath[int], sheet_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    reason = form.text("reason", _("退回理由"), required=False, max_length=1000)
    async with attempt(db_session) as refused:
        await review_sheets.reopen(db_session, clock, actor, panel_id, sheet_id, reason)
    if refused:
        return await _panel_page(request, db_session, actor, panel_id, refused.errors, refused.message)
    return redirect(request, f"/review/panels/{panel_id}?done=reopened#chair")


@get("/review/panels/{panel_id:int}/summary.pdf", opt=EXPERT)
async def summary_pdf(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                      panel_id: FromPath[int]) -> Response[bytes]:
    """The score summary for a panel member to sign, once review has closed (codes only when blind)."""
    panel, challenge, _seat, _expert = await review_sheets.expert_panel(db_session, actor, panel_id)
    if panel.status != PanelStatus.CLOSED.value:
        raise NotFound(_("评审结束后才能下载评分汇总表"))
    return send(await documents.summary_pdf(request.app.state.jinja, db_session, challenge, panel, for_expert=True))


@get("/review/panels/{panel_id:int}/summary.xlsx", opt=EXPERT)
async def summary_xlsx(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                       panel_id: FromPath[int]) -> Response[bytes]:
    panel, challenge, _seat, _expert = await review_sheets.expert_panel(db_session, actor, panel_id)
    if panel.status != PanelStatus.CLOSED.value:
        raise NotFound(_("评审结束后才能下载评分汇总表"))
    return send(await documents.summary_xlsx(db_session, challenge, panel, for_expert=True))


def _editor(posted: str = "") -> str:
    """The page's token (review.sheets._claim): the posted one when the page comes back after
    a refusal; on a page load none, and the page's script makes a new one (static/js/arena.js),
    so that two tabs never share one even when the page itself is kept (arena.web.page_cache)."""
    return posted if EDITOR_TOKEN.fullmatch(posted) else ""


def _sheet_context(ctx: review_sheets.SheetContext, errors: dict[str, str] | None = None, refusal: str | None = None,
                   raw: dict[int, str] | None = None, editor: str = "") -> dict[str, Any]:
    return {"ctx": ctx, "editor": _editor(editor),
            "sheet": ctx.sheet, "challenge": ctx.challenge, "bid": ctx.bid, "criteria": ctx.criteria,
            "values": raw if raw is not None else ctx.values, "editable": ctx.sheet.status == SheetStatus.DRAFT.value
            and ctx.panel.status == PanelStatus.DRAWN.value, "labels": _labels(), "errors": errors or {},
            "refusal": refusal, "done": None, "exec_labels": execution_labels() if ctx.acceptance else {},
            "page_countdown": due_dates.page_countdown, "countdown_text": due_dates.countdown_text}


@get("/review/sheets/{sheet_id:int}", opt={**EXPERT, **KEPT})
async def sheet_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                     sheet_id: FromPath[int]) -> Response[str]:
    ctx = await review_sheets.expert_sheet(db_session, actor, sheet_id)
    return render(request, "review/sheet.html", _sheet_context(ctx) | {
        "done": request.query_params.get("done"), "steps": await overview.steps(db_session, ctx.sheet),
        "came_from": request.query_params.get("from", "")})


@post("/review/sheets/{sheet_id:int}", opt={**EXPERT, **READS_FIRST})
async def save_sheet(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                     sheet_id: FromPath[int]) -> Response[str]:
    """Save (plain POST or htmx autosave, which answers with a status fragment) or submit.

    Sixteen experts autosave at once: the sheet is read before this request takes SQLite's
    single writer's turn, which then covers the save alone; the save's compare-and-set on the
    sheet's revision, its state and its panel's (review.sheets._claim) refuses anything that
    changed in between."""
    draft = await review_sheets.draft_of(db_session, actor, sheet_id)
    form = await read_form(request)
    await write_from_here(db_session)
    raw = {c.id: form.raw(f"c-{c.id}") for c in draft.criteria}
    comment = form.raw("comment")
    submit = form.raw("action") in ("submit", "submit_next")
    autosave = request.headers.get("hx-request") == "true" and not submit
    revision = int(form.raw("revision")) if form.raw("revision").isdigit() else -1
    editor = form.raw("editor") if EDITOR_TOKEN.fullmatch(form.raw("editor")) else ""
    async with attempt(db_session) as refused:
        draft = await review_sheets.save(db_session, clock, actor, draft, revision, raw, comment, submit=submit,
                                         editor=editor)
    if refused:
        if autosave:
            return render(request, "review/_sheet_status.html", {
                "ok": False, "message": _("未保存：") + refused.summary, "errors": refused.errors, "keys": list(raw)},
                status_code=400)
        ctx = await review_sheets.expert_sheet(db_session, actor, sheet_id)
        ctx.sheet.comment = comment
        return render(request, "review/sheet.html",
                      _sheet_context(ctx, refused.errors, refused.message, raw, editor)
                      | {"steps": await overview.steps(db_session, ctx.sheet)}, status_code=400)
    # The save and its audit event commit now, before the answer is rendered: the single writer's
    # turn on SQLite (arena.db) is not held while a template renders.
    await db_session.commit()
    if autosave:
        return render(request, "review/_sheet_status.html", {
            "ok": True, "message": clock.now().astimezone(DISPLAY_TZ).strftime("%H:%M:%S"),
            "revision": draft.revision, "total": draft.total, "errors": {}, "keys": list(raw)})
    if form.raw("action") in ("save_next", "submit_next"):  # 保存并下一份 / 提交并下一份
        return redirect(request, overview.after_save(await overview.steps(db_session, draft), submit))
    return redirect(request, f"/review/sheets/{sheet_id}?done={'submitted' if submit else 'saved'}")


@post("/review/sheets/{sheet_id:int}/recuse", opt=EXPERT)
async def recuse(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 sheet_id: FromPath[int]) -> Response[str]:
    ctx = await review_sheets.expert_sheet(db_session, actor, sheet_id)
    form = await read_form(request)
    reason = form.text("recusal_reason", _("回避理由"), required=False, max_length=1000)
    async with attempt(db_session) as refused:
        await review_sheets.recuse(db_session, clock, actor, ctx, reason)
    if refused:
        ctx = await review_sheets.expert_sheet(db_session, actor, sheet_id)
        return render(request, "review/sheet.html", _sheet_context(ctx, refused.errors, refused.message)
                      | {"steps": await overview.steps(db_session, ctx.sheet)}, status_code=400)
    return redirect(request, f"/review/panels/{ctx.panel.id}?done=recused")


@get("/review/sheets/{sheet_id:int}/attachments/{index:int}", opt=EXPERT)
async def attachment(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                     sheet_id: FromPath[int], index: FromPath[int]) -> Response[Any]:
    """A bid's attachment as the expert may read it: named by review code, and when blind,
    with the file's author metadata removed."""
    ctx = await review_sheets.expert_sheet(db_session, actor, sheet_id)
    found = await pool.attachment_for_expert(db_session, clock, request.app.state.settings.files_dir, ctx, index)
    if isinstance(found, pool.Withheld):  # answered, not raised: the organizer's notice must commit
        return render(request, "errors/error.html", {"status": 422, "title": _("附件无法下载"),
                                                     "message": found.message}, status_code=422)
    return send(found)


@get("/review/profile", opt=EXPERT)
async def profile(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[str]:
    return render(request, "review/profile.html", await pool.profile(db_session, actor) | {
        "errors": {}, "values": {}, "done": request.query_params.get("done")})


@post("/review/profile/fields", opt=EXPERT)
async def save_fields(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                      actor: ActorDep) -> Response[str]:
    form = await read_form(request)
    async with attempt(db_session, field="field") as refused:
        await pool.set_fields(db_session, clock, actor, form.values("field"))
    if refused:
        return render(request, "review/profile.html", await pool.profile(db_session, actor) | {
            "errors": refused.errors, "values": {}, "done": None}, status_code=400)
    return redirect(request, "/review/profile?done=fields")


@post("/review/profile/conflicts", opt=EXPERT)
async def declare(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                  actor: ActorDep) -> Response[str]:
    form = await read_form(request)
    values = {"kind": form.raw("kind"), "target": form.raw("target").strip(), "reason": form.raw("reason")}
    async with attempt(db_session, field="target") as refused:
        await pool.declare_conflict(db_session, clock, actor, values["kind"], values["target"], values["reason"])
    if refused:
        return render(request, "review/profile.html", await pool.profile(db_session, actor) | {
            "errors": refused.errors, "values": values, "done": None}, status_code=400)
    return redirect(request, "/review/profile?done=conflict#conflicts")


ROUTES = [my_review, answer, panel_page, reopen, summary_pdf, summary_xlsx, sheet_page, save_sheet, recuse,
          attachment, profile, save_fields, declare, *PANEL_ROUTES]
