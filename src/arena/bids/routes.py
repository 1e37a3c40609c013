"""The cadre's bid pages: start, draft with autosave, team, submit with receipt, withdraw,
and team invitations. Thin: the rules are in bids/service.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role
from arena.bids import documents, service
from arena.bids.models import Bid, BidMilestone, BidStatus
from arena.bids.transitions import CADRE_STATUS_LABELS
from arena.challenges.models import Challenge
from arena.challenges.phase import window_is_open
from arena.challenges.queries import load_challenge_detail
from arena.clock import DISPLAY_TZ
from arena.errors import DomainError, FormErrors
from arena.i18n import gettext as _
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.forms import Form
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.refusals import attempt
from arena.web.templating import render
from arena.web.uploads import download, receive_upload

CADRE = {"roles": {Role.CADRE}}
TEXT_MAX = 20000


def _status_label(bid: Bid) -> str:
    return _(CADRE_STATUS_LABELS[BidStatus(bid.status)])


@post("/challenges/{challenge_id:int}/bid", opt=CADRE)
async def start(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                challenge_id: FromPath[int]) -> Response[str]:
    async with attempt(db_session) as refused:
        bid = await service.start_bid(db_session, clock, actor, challenge_id)
    if refused:
        return render(request, "bids/refused.html", {"message": refused.summary, "challenge_id": challenge_id},
                      status_code=400)
    return redirect(request, f"/bids/{bid.id}")


@get("/bids", opt={**CADRE, **KEPT})
async def my_bids(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                  actor: ActorDep) -> Response[str]:
    rows = await service.my_bids(db_session, actor)
    invites = await service.invitations(db_session, actor)
    now = clock.now()
    return render(request, "bids/list.html", {
        "rows": [(bid, challenge, _status_label(bid), window_is_open(challenge, now)) for bid, challenge in rows],
        "invites": invites,
    })


def _read_draft(form: Form, bid: Bid) -> service.BidDraft:
    revision = form.integer("revision", "revision", minimum=0) or 0
    plan = form.text("plan", _("实施方案"), required=False, max_length=TEXT_MAX)
    commitment = form.text("commitment", _("承诺事项"), required=False, max_length=TEXT_MAX)
    rows = {row.id: row for row in bid.milestones}
    milestones = []
    for i in range(service.MAX_MILESTONES + 1):
        if f"m{i}-title" not in form.data:
            break
        draft = _read_milestone(form, i, bid, rows)
        if draft is not None:
            milestones.append(draft)
    return service.BidDraft(revision=revision, plan=plan, commitment=commitment, milestones=milestones)


def _read_milestone(form: Form, i: int, bid: Bid, rows: dict[int, BidMilestone]) -> service.MilestoneDraft | None:
    """Row i of the plan. A row the bidder added goes when ticked 删除 or left blank; the
    challenge's own milestones keep their title when it is cleared. Forms without row ids (older
    pages, scripts) match rows by position."""
    raw_id = form.raw(f"m{i}-id").strip()
    if raw_id.isdigit():
        row = rows.get(int(raw_id))
        row_id: int | None = int(raw_id)
    elif f"m{i}-id" not in form.data and i < len(bid.milestones):
        row = bid.milestones[i]
        row_id = row.id
    else:
        row, row_id = None, None
    title = form.text(f"m{i}-title", _("节点名称"), required=False, max_length=100)
    deliverable = form.text(f"m{i}-deliverable", _("节点成果"), required=False, max_length=2000)
    kpi = form.text(f"m{i}-kpi", _("考核指标"), required=False, max_length=2000)
    raw_due = form.raw(f"m{i}-due_on").strip()
    own = row is None or row.template_id is None
    if own and (form.boolean(f"m{i}-remove") or not (title or raw_due or deliverable or kpi)):
        return None
    if row is not None and not title:
        title = row.title
    due = row.due_on if row is not None else None
    try:
        due = date.fromisoformat(raw_due) if raw_due else due
    except ValueError:
        form.error(f"m{i}-due_on", _("第 {n} 个节点的完成日期无效（格式：2027-06-30）").format(n=i + 1))
    if not title:
        form.error(f"m{i}-title", _("第 {n} 个节点请填写名称").format(n=i + 1))
    if due is None:
        form.error(f"m{i}-due_on", _("第 {n} 个节点请填写完成日期").format(n=i + 1))
    return service.MilestoneDraft(title=title, due_on=due, template_id=row.template_id if row else None,
                                  deliverable=deliverable, kpi=kpi, row_id=row_id)


async def _bid_page(request: Request[Any, Any, Any], db: AsyncSession, clock: ClockDep, bid: Bid,
                    errors: dict[str, str], status_code: int = 200, values: dict[str, Any] | None = None,
                    notice: str | None = None, team_values: dict[str, str] | None = None) -> Response[str]:
    challenge = await db.get(Challenge, bid.challenge_id)
    assert challenge is not None
    open_now = window_is_open(challenge, clock.now())
    full = await load_challenge_detail(db, bid.challenge_id)
    return render(request, "bids/bid.html", {
        "bid": bid, "challenge": challenge, "status_label": _status_label(bid), "open_now": open_now,
        "editable": open_now and bid.status in (BidStatus.DRAFT.value, BidStatus.SUBMITTED.value),
        "max_milestones": service.MAX_MILESTONES,
        "errors": errors, "values": values, "notice": notice, "team_values": team_values or {},
        "problems": service.submission_problems(bid, full) if full else [],
        "versions": await service.versions(db, bid),
        "closes": challenge.bid_closes_at.astimezone(DISPLAY_TZ) if challenge.bid_closes_at else None,
    }, status_code=status_code)


@get("/bids/{bid_id:int}", opt={**CADRE, **KEPT})
async def bid_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                   bid_id: FromPath[int], done: FromQuery[str | None] = None) -> Response[str]:
    bid = await service.get_own_bid(db_session, actor, bid_id)
    notices = {"saved": _("草稿已保存。"), "submitted": _("已提交。回执已生成，可下载保存。"),
               "withdrawn": _("已撤回。"), "invited": _("已发出邀请，待对方确认。")}
    return await _bid_page(request, db_session, clock, bid, {}, notice=notices.get(done or ""))


@post("/bids/{bid_id:int}", opt=CADRE)
async def save(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
               bid_id: FromPath[int]) -> Response[str]:
    """Save the draft: a plain POST (redirect) or htmx autosave (a small status fragment)."""
    bid = await service.get_own_bid(db_session, actor, bid_id)
    form = await read_form(request)
    draft = _read_draft(form, bid)
    autosave = request.headers.get("hx-request") == "true"
    rows_before = {row.id for row in bid.milestones}
    async with attempt(db_session, field="plan") as refused:
        if not form.ok:
            raise FormErrors(form.errors)
        await service.save_draft(db_session, clock, actor, bid, draft)
    if refused:
        status = 409 if isinstance(refused.error, service.StaleDraft) else 400
        if autosave:
            return render(request, "bids/_autosave.html", {"ok": False, "message": refused.summary, "revision": None},
                          status_code=status)
        bid = await service.get_own_bid(db_session, actor, bid_id)
        values = {"plan": draft.plan, "commitment": draft.commitment, "milestones": draft.milestones,
                  "revision": draft.revision}
        return await _bid_page(request, db_session, clock, bid, refused.errors, status_code=status, values=values)
    if autosave:
        saved_at = clock.now().astimezone(DISPLAY_TZ).strftime("%H:%M:%S")
        return render(request, "bids/_autosave.html", {"ok": True, "message": saved_at, "revision": bid.revision,
                                                       "new_rows": _new_row_ids(form, bid, rows_before)})
    return redirect(request, f"/bids/{bid.id}?done=saved" + ("#milestones" if form.raw("add_row") else ""))


def _new_row_ids(form: Form, bid: Bid, rows_before: set[int]) -> list[tuple[int, int]]:
    """(form row, new row id) for rows an autosave added, so the open page edits them next time
    instead of adding them again."""
    slots = [i for i in range(service.MAX_MILESTONES + 1)
             if f"m{i}-id" in form.data and not form.raw(f"m{i}-id").strip() and not form.boolean(f"m{i}-remove")
             and form.raw(f"m{i}-title").strip()]
    added = [row.id for row in bid.milestones if row.id not in rows_before]
    return list(zip(slots, added, strict=False))


@post("/bids/{bid_id:int}/team", opt=CADRE)
async def invite(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 bid_id: FromPath[int]) -> Response[str]:
    bid = await service.get_own_bid(db_session, actor, bid_id)
    form = await read_form(request)
    code = form.text("member_code", _("成员工号"), max_length=32)
    duty = form.text("member_duty", _("分工"), required=False, max_length=200)
    async with attempt(db_session, field="member_code") as refused:
        if not form.ok:
            raise FormErrors(form.errors)
        await service.invite(db_session, clock, actor, bid, code, duty)
    if refused:
        bid = await service.get_own_bid(db_session, actor, bid_id)
        return await _bid_page(request, db_session, clock, bid, refused.errors, status_code=400,
                               team_values={"member_code": form.raw("member_code")[:32],
                                            "member_duty": form.raw("member_duty")[:200]})
    return redirect(request, f"/bids/{bid.id}?done=invited#team")


@post("/bids/{bid_id:int}/team/{member_id:int}/remove", opt=CADRE)
async def remove_member(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                        bid_id: FromPath[int], member_id: FromPath[int]) -> Response[str]:
    bid = await service.get_own_bid(db_session, actor, bid_id)
    await service.remove_member(db_session, clock, actor, bid, member_id)
    return redirect(request, f"/bids/{bid.id}#team")


@post("/bids/{bid_id:int}/submit", opt=CADRE)
async def submit(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 bid_id: FromPath[int]) -> Response[str]:
    bid = await service.get_own_bid(db_session, actor, bid_id)
    form = await read_form(request)
    revision = form.integer("revision", "revision", minimum=0) or 0
    async with attempt(db_session, field="submit") as refused:
        await service.submit(db_session, clock, actor, bid, revision,
                             cap=request.app.state.settings.active_bid_cap)
    if isinstance(refused.error, service.StaleDraft):
        # A second click of the same page (or another tab): the first one counted; show where it stands.
        return redirect(request, f"/bids/{bid_id}")
    if refused:
        bid = await service.get_own_bid(db_session, actor, bid_id)
        return await _bid_page(request, db_session, clock, bid, refused.errors, status_code=400)
    return redirect(request, f"/bids/{bid.id}?done=submitted")


@post("/bids/{bid_id:int}/withdraw", opt=CADRE)
async def withdraw(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                   bid_id: FromPath[int]) -> Response[str]:
    bid = await service.get_own_bid(db_session, actor, bid_id)
    form = await read_form(request)
    reason = form.text("reason", _("撤回原因"), required=False, max_length=2000)  # the service decides
    async with attempt(db_session, field="reason") as refused:
        if not form.ok:
            raise FormErrors(form.errors)
        await service.withdraw(db_session, clock, actor, bid, reason)
    if refused:
        bid = await service.get_own_bid(db_session, actor, bid_id)
        return await _bid_page(request, db_session, clock, bid, refused.errors, status_code=400)
    return redirect(request, f"/bids/{bid.id}?done=withdrawn")


@get("/bids/{bid_id:int}/receipt.pdf", opt=CADRE)
async def receipt(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                  bid_id: FromPath[int]) -> Response[bytes]:
    bid = await service.get_own_bid(db_session, actor, bid_id)
    version = await service.latest_version(db_session, bid)
    challenge = await db_session.get(Challenge, bid.challenge_id)
    if version is None or challenge is None:
        raise DomainError(_("该揭榜申报尚未提交，没有回执"))
    pdf = await documents.receipt_pdf(request.app.state.jinja, bid, challenge, version)
    name = f"揭榜回执-{bid.number}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": documents.disposition(name, f"receipt-{bid.number}.pdf")})


@post("/bids/invitations/{member_id:int}/{answer:str}", opt=CADRE)
async def answer(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 member_id: FromPath[int], answer: FromPath[str]) -> Response[str]:
    if answer not in ("accept", "decline"):
        raise DomainError(_("无效的操作"))
    async with attempt(db_session) as refused:
        await service.answer_invitation(db_session, clock, actor, member_id, answer == "accept")
    if refused:
        return render(request, "bids/refused.html", {"message": refused.summary, "challenge_id": None},
                      status_code=400)
    return redirect(request, "/bids#invitations")


@post("/bids/{bid_id:int}/attachments", opt=CADRE)
async def upload_attachment(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep, bid_id: FromPath[int]) -> Response[str]:
    bid = await service.get_own_bid(db_session, actor, bid_id)
    async with attempt(db_session, field="file") as refused:
        title, stored = await receive_upload(request, db_session, actor)
        await service.add_attachment(db_session, clock, actor, bid, title, stored)
    if refused:
        bid = await service.get_own_bid(db_session, actor, bid_id)
        return await _bid_page(request, db_session, clock, bid, {"file": refused.summary}, status_code=400)
    return redirect(request, f"/bids/{bid_id}#attachments")


@post("/bids/{bid_id:int}/attachments/{attachment_id:int}/delete", opt=CADRE)
async def delete_attachment(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                            actor: ActorDep, bid_id: FromPath[int], attachment_id: FromPath[int]) -> Response[str]:
    bid = await service.get_own_bid(db_session, actor, bid_id)
    async with attempt(db_session, field="file") as refused:
        await service.remove_attachment(db_session, clock, actor, bid, attachment_id)
    if refused:
        bid = await service.get_own_bid(db_session, actor, bid_id)
        return await _bid_page(request, db_session, clock, bid, {"file": refused.summary}, status_code=400)
    return redirect(request, f"/bids/{bid_id}#attachments")


@get("/bids/{bid_id:int}/attachments/{attachment_id:int}", opt={"login": True})
async def download_attachment(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                              bid_id: FromPath[int], attachment_id: FromPath[int]) -> Response[bytes]:
    found = await service.readable_attachment(db_session, actor, bid_id, attachment_id)
    return download(request, found.file, f"bid-attachment-{found.id}")


ROUTES = [upload_attachment, delete_attachment, download_attachment, start, my_bids, bid_page, save, invite,
          remove_member, submit, withdraw, receipt, answer]
