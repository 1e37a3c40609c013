"""Score sheets (评分表) as the expert works them: the expert's seats and panels, the sheet with
the bid as the expert may read it (blind review names no bidder), saving, submitting and recusing,
and the chair's view of the panel's sheets with reopening one to score again.

Sealing: before the panel closes nothing here hands anyone another expert's scores — the chair
sees each sheet's state and a deviation flag, never a number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, and_, bindparam, case, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from arena.actor import Actor
from arena.audit import service as audit
from arena.bids.models import Bid, BidMember, BidVersion, MemberStatus
from arena.challenges.models import Challenge, Criterion, CriterionKind
from arena.challenges.queries import load_challenge_detail
from arena.clock import Clock
from arena.db import get_or_none, valid_id
from arena.errors import DomainError, FormErrors, NotFound, PermissionDenied
from arena.execution.views import ProjectView, project_view
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.review import blind as blind_words
from arena.review import policy, seal
from arena.review.models import (
    Panel,
    PanelPurpose,
    PanelSeat,
    PanelStatus,
    Score,
    ScoreSheet,
    SeatStatus,
    SheetStatus,
)
from arena.review.service import criteria_for, expert_of, seat_facts
from arena.review.transitions import SHEET
from arena.units.models import Cadre, Expert

NOT_OWED = tuple(sorted(policy.NOT_OWED))
"""Sheets nobody owes (policy.NOT_OWED), for `not_in` in SQL."""
SCORE_PATTERN = re.compile(r"^\d+(\.\d)?$")


# --- what the expert sees ------------------------------------------------------------------------

@dataclass
class SeatRow:
    seat: PanelSeat
    panel: Panel
    challenge: Challenge
    submitted: int
    to_score: int


async def my_seats(db: AsyncSession, actor: Actor) -> list[SeatRow]:
    """The expert's invitations and panels, newest first, with their sheet counts (3 queries)."""
    expert = await expert_of(db, actor)
    rows = (await db.execute(
        select(PanelSeat, Panel, Challenge).join(Panel, Panel.id == PanelSeat.panel_id)
        .join(Challenge, Challenge.id == Panel.challenge_id)
        .where(PanelSeat.expert_id == expert.id, PanelSeat.status != SeatStatus.RESERVE.value)
        .order_by(Panel.drawn_at.desc(), Panel.id.desc()))).all()
    counts = await _sheet_counts(db, [p.id for _s, p, _c in rows], expert.id)
    return [SeatRow(s, p, c, *counts.get((p.id, expert.id), (0, 0))) for s, p, c in rows]


async def _sheet_counts(db: AsyncSession, panel_ids: list[int], expert_id: int | None = None
                        ) -> dict[tuple[int, int], tuple[int, int]]:
    """(panel, expert) → (submitted sheets, sheets to score, i.e. not recused)."""
    if not panel_ids:
        return {}
    stmt = (select(ScoreSheet.panel_id, ScoreSheet.expert_id,
                   func.sum(case((ScoreSheet.status == SheetStatus.SUBMITTED.value, 1), else_=0)),
                   func.count())
            .where(ScoreSheet.panel_id.in_(panel_ids), ScoreSheet.status.not_in(NOT_OWED))
            .group_by(ScoreSheet.panel_id, ScoreSheet.expert_id))
    if expert_id is not None:
        stmt = stmt.where(ScoreSheet.expert_id == expert_id)
    return {(p, e): (int(s or 0), int(n)) for p, e, s, n in (await db.execute(stmt)).all()}


async def expert_panel(db: AsyncSession, actor: Actor, panel_id: int) -> tuple[Panel, Challenge, PanelSeat, Expert]:
    """A panel the actor sits on (policy.sits_on), else 404 — the same answer whether it exists or not."""
    expert = await expert_of(db, actor)
    row = (await db.execute(
        select(Panel, PanelSeat).join(PanelSeat, PanelSeat.panel_id == Panel.id)
        .where(Panel.id == panel_id, PanelSeat.expert_id == expert.id))).first() if valid_id(panel_id) else None
    if row is None or not policy.sits_on(actor, seat_facts(row[1], expert)):
        raise NotFound(_("没有找到这个评审专家组，或你不在其中"))
    panel, seat = row
    challenge = await load_challenge_detail(db, panel.challenge_id)
    assert challenge is not None
    return panel, challenge, seat, expert


async def my_sheets(db: AsyncSession, panel: Panel, expert: Expert) -> list[tuple[ScoreSheet, str]]:
    """The expert's sheets on a panel with each bid's review code — never a recused one."""
    rows = (await db.execute(
        select(ScoreSheet, Bid.review_code).join(Bid, Bid.id == ScoreSheet.bid_id)
        .where(ScoreSheet.panel_id == panel.id, ScoreSheet.expert_id == expert.id,
               ScoreSheet.status.not_in(NOT_OWED))
        .order_by(Bid.review_code))).all()
    return [(sheet, code or "") for sheet, code in rows]


@dataclass
class SheetContext:
    sheet: ScoreSheet
    panel: Panel
    challenge: Challenge
    expert: Expert
    code: str
    bid: BidView | None  # None for an acceptance panel, which scores the project
    criteria: list[Criterion]
    values: dict[int, str]
    project: ProjectView | None = None  # what an acceptance panel scores, instead of the bid

    @property
    def acceptance(self) -> bool:
        return self.panel.purpose == PanelPurpose.ACCEPTANCE.value


_SHEET = (select(ScoreSheet, Panel, Expert, Bid.review_code).join(Panel, Panel.id == ScoreSheet.panel_id)
          .join(Expert, Expert.id == ScoreSheet.expert_id).join(Bid, Bid.id == ScoreSheet.bid_id)
          .where(ScoreSheet.id == bindparam("sheet")).options(selectinload(ScoreSheet.scores)))
"""A sheet with its scores, its panel, its expert and its bid's review code."""


async def expert_sheet(db: AsyncSession, actor: Actor, sheet_id: int) -> SheetContext:
    """The actor's own sheet with what scoring shows: the bid as the expert reads it (or the
    project an acceptance panel scores) and the rubric, in a fixed number of queries."""
    if not valid_id(sheet_id):
        raise NotFound(_("没有找到这份评分表"))
    row: Any = (await db.execute(_SHEET, {"sheet": sheet_id})).first()
    # Another's sheet, a recused or a void one answer like a missing one (policy.may_score).
    if row is None or not policy.may_score(actor, row[2].user_id, row[0].status):
        raise NotFound(_("没有找到这份评分表"))
    sheet, panel, expert, code = row
    challenge = await db.scalar(
        select(Challenge).where(Challenge.id == panel.challenge_id).options(selectinload(Challenge.criteria)))
    assert challenge is not None
    acceptance = panel.purpose == PanelPurpose.ACCEPTANCE.value
    view = await bid_view(db, sheet.bid_id, challenge.blind_review) if not acceptance else None
    project = await project_view(db, sheet.bid_id) if acceptance else None
    return SheetContext(sheet, panel, challenge, expert, code or "", view, criteria_for(challenge, panel.purpose),
                        {s.criterion_id: _plain(s.value) for s in sheet.scores}, project)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# --- the bid as an expert reads it ----------------------------------------------------------------

@dataclass
class BidView:
    code: str
    blind: bool
    plan: str
    commitment: str
    milestones: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    version_sha256: str
    lead: str | None = None  # only when not blind
    unit: str | None = None
    team: list[str] | None = None


REDACTED = blind_words.REDACTED
redact = blind_words.redact  # the bidder's own words with every identifying value blacked out


async def bid_view(db: AsyncSession, bid_id: int, blind: bool) -> BidView:
    """The submitted version of a bid, as an expert may read it."""
    bid = await db.scalar(select(Bid).where(Bid.id == bid_id).options(
        joinedload(Bid.lead).joinedload(Cadre.unit),
        selectinload(Bid.members).joinedload(BidMember.cadre).joinedload(Cadre.unit)))
    assert bid is not None
    version = await db.scalar(select(BidVersion).where(BidVersion.bid_id == bid.id,
                                                       BidVersion.version_no == bid.submitted_version))
    assert version is not None
    content = json.loads(version.content)
    people = [bid.lead] + [m.cadre for m in bid.members]  # invited or declined, a name still tells
    names = await blind_words.identity_words(db, people) if blind else []

    def shown(text: str) -> str:
        return redact(text, names) if blind else text

    milestones = [{k: shown(v) if isinstance(v, str) else v for k, v in m.items()} for m in content["milestones"]]
    attachments = [{"index": i, "title": shown(a["title"])} for i, a in enumerate(content["attachments"], start=1)]
    view = BidView(bid.review_code or "", blind, shown(content["plan"]), shown(content["commitment"]),
                   milestones, attachments, version.sha256)
    if not blind:
        view.lead, view.unit = bid.lead.name, bid.lead.unit.name
        view.team = [m.cadre.name for m in bid.members if m.status == MemberStatus.CONFIRMED.value]
    return view


# --- scoring -------------------------------------------------------------------------------------

class RubricItem(NamedTuple):
    """A criterion as a save checks it."""

    id: int
    points: Decimal


@dataclass(frozen=True)
class Draft:
    """A sheet as saving and submitting need it: plain values read in one statement (`draft_of`),
    no ORM objects. Sixteen experts autosave at once, and loading the sheet, its panel, expert,
    scores and rubric as entities was a save's largest cost. `save` answers the sheet as saved."""

    id: int
    panel_id: int
    expert_id: int
    status: str
    revision: int
    panel_status: str
    code: str  # the bid's review code
    criteria: list[RubricItem]  # the rubric the panel scores on, in order
    values: dict[int, Decimal]  # criterion id → the score the database holds
    total: Decimal | None


_KIND = case({PanelPurpose.ACCEPTANCE.value: CriterionKind.ACCEPTANCE.value}, value=Panel.purpose,
             else_=CriterionKind.BID.value)
"""The rubric a panel scores on (review.service.criteria_for), in SQL."""
_DRAFT = (
    select(ScoreSheet.id, ScoreSheet.panel_id, ScoreSheet.expert_id, ScoreSheet.status, ScoreSheet.revision,
           ScoreSheet.total, Expert.user_id, Panel.status.label("panel_status"), Bid.review_code,
           Criterion.id.label("criterion_id"), Criterion.points, Score.value)
    .join(Panel, Panel.id == ScoreSheet.panel_id).join(Expert, Expert.id == ScoreSheet.expert_id)
    .join(Bid, Bid.id == ScoreSheet.bid_id)
    .outerjoin(Criterion, and_(Criterion.challenge_id == Panel.challenge_id, Criterion.kind == _KIND))
    .outerjoin(Score, and_(Score.sheet_id == ScoreSheet.id, Score.criterion_id == Criterion.id))
    .where(ScoreSheet.id == bindparam("sheet")).order_by(Criterion.position))
"""A sheet, one row per criterion with its score if entered (built once: every autosave runs it)."""


async def draft_of(db: AsyncSession, actor: Actor, sheet_id: int) -> Draft:
    """The actor's own sheet as a save needs it, in one statement; else 404, as expert_sheet."""
    rows = (await db.execute(_DRAFT, {"sheet": sheet_id})).all() if valid_id(sheet_id) else []
    if not rows or not policy.may_score(actor, rows[0].user_id, rows[0].status):
        raise NotFound(_("没有找到这份评分表"))
    first = rows[0]
    return Draft(first.id, first.panel_id, first.expert_id, first.status, first.revision, first.panel_status,
                 first.review_code or "", [RubricItem(r.criterion_id, r.points) for r in rows if r.criterion_id],
                 {r.criterion_id: r.value for r in rows if r.value is not None}, first.total)


def parse_scores(criteria: Sequence[RubricItem | Criterion], raw: dict[int, str]
                 ) -> tuple[dict[int, Decimal], dict[str, str]]:
    """Each criterion's input checked against its points: values and errors keyed `c-{id}`."""
    values: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    for criterion in criteria:
        text = (raw.get(criterion.id) or "").strip()
        if not text:
            continue
        key = f"c-{criterion.id}"
        try:
            number = Decimal(text)
        except InvalidOperation:
            errors[key] = _("请输入数字")
            continue
        if not number.is_finite():
            errors[key] = _("请输入数字")
        elif number < 0:
            errors[key] = _("分数不能为负数")
        elif not SCORE_PATTERN.match(text):
            errors[key] = _("最多保留一位小数") if SCORE_PATTERN.match(text.split(".")[0]) else _("请输入数字")
        elif number > criterion.points:
            errors[key] = _("不能超过本项分值 {points} 分").format(points=_plain(criterion.points))
        else:
            values[criterion.id] = number
    return values, errors


async def _claim(db: AsyncSession, draft: Draft, revision: int, action: str, editor: str,
                 changes: dict[str, Any]) -> tuple[Any, dict[int, Decimal]]:
    """Compare-and-set on the sheet's revision and state, moving it by `action` (save or submit,
    SHEET) and writing `changes` (its total and comment; a submit's time and salt) in the same
    statement: a stale tab or a second click of submit finds nothing to update and is refused,
    so a sheet locks once. Answers what the statement wrote and the scores it found.

    A page posts everything it shows, so when the revision moved only because this same page
    autosaved a moment before (its answer not yet arrived when the expert pressed submit), the
    page's own post supersedes it: the claim is retried on the current revision."""
    written = await _set_revision(db, draft.id, revision, action, editor, changes)
    if written is not None:
        return written, draft.values
    current = (await db.execute(select(ScoreSheet.revision, ScoreSheet.status, ScoreSheet.editor, Panel.status)
                                .join(Panel, Panel.id == ScoreSheet.panel_id)
                                .where(ScoreSheet.id == draft.id))).one()
    if current[3] != PanelStatus.DRAWN.value:  # closed since the sheet was read
        raise DomainError(_("评审已结束，评分表不能再修改"))
    own_save = bool(editor) and current.editor == editor and current.status == SheetStatus.DRAFT.value
    if own_save and current.revision > revision:
        written = await _set_revision(db, draft.id, current.revision, action, editor, changes)
        if written is not None:  # the scores as that save left them (the sheet was read before it)
            return written, dict((await db.execute(select(Score.criterion_id, Score.value)
                                                   .where(Score.sheet_id == draft.id))).tuples().all())
    if current.status != SheetStatus.DRAFT.value:
        raise DomainError(_("这份评分表已经提交，不能再修改"))
    raise DomainError(_("这份评分表已在另一个窗口或设备上修改过，请刷新页面，核对最新内容后再操作"))


_CLAIMS: dict[tuple[str, ...], Any] = {}
"""The compare-and-set of each action (save, submit) and its columns, built once: an autosave
runs it inside SQLite's single writer's turn, and a statement built anew costs more than running it."""


def _claim_statement(action: str, columns: Iterable[str]) -> Any:
    key = (action, *sorted(columns))
    statement = _CLAIMS.get(key)
    if statement is None:
        # ... and only while its panel still scores: a save whose sheet was read before the panel
        # closed finds nothing to update (routes_expert.save_sheet reads before it writes).
        still_open = exists().where(Panel.id == ScoreSheet.panel_id, Panel.status == PanelStatus.DRAWN.value)
        statement = (update(ScoreSheet).where(ScoreSheet.id == bindparam("sheet"),
                                              ScoreSheet.revision == bindparam("revision"), still_open)
                     .values(revision=bindparam("next"), editor=bindparam("editor"),
                             **{column: bindparam(column) for column in key[1:]}))
        statement = SHEET.moving(statement, ScoreSheet.status, action)  # only from a draft; a submit locks it
        statement = _CLAIMS[key] = statement.returning(ScoreSheet.revision, ScoreSheet.status,
                                                       ScoreSheet.editor, ScoreSheet.updated_at)
    return statement


async def _set_revision(db: AsyncSession, sheet_id: int, revision: int, action: str, editor: str,
                        changes: dict[str, Any]) -> Any:
    """The update itself, in one statement: the row as written, or None when nothing matched.
    A copy of the sheet this session loaded before is given what was written."""
    params = {"sheet": sheet_id, "revision": revision, "next": revision + 1, "editor": editor or None, **changes}
    written = (await db.execute(_claim_statement(action, changes), params,
                                execution_options={"synchronize_session": False})).first()
    loaded = db.sync_session.identity_map.get(identity_key(ScoreSheet, sheet_id))
    if written is not None and loaded is not None:
        for key, value in {**changes, **written._asdict()}.items():
            set_committed_value(loaded, key, value)
    return written


_SCORE = cast(Table, Score.__table__)  # Core statements: no ORM bulk semantics, no objects
_SCORE_UPDATE = (update(_SCORE).where(_SCORE.c.sheet_id == bindparam("sheet"),
                                      _SCORE.c.criterion_id == bindparam("criterion"))
                 .values(value=bindparam("score")))


async def _write_scores(db: AsyncSession, sheet_id: int, before: dict[int, Decimal],
                        values: dict[int, Decimal]) -> None:
    """The sheet's scores made `values` from `before`, writing only what changed (an autosave
    usually changes one): at most an UPDATE, an INSERT and a DELETE, as Core statements. Copies of
    the sheet's scores this session loaded before are dropped, to be read again if needed."""
    changed = [{"sheet": sheet_id, "criterion": k, "score": v} for k, v in values.items()
               if k in before and before[k] != v]
    added = [{"sheet_id": sheet_id, "criterion_id": k, "value": v} for k, v in values.items() if k not in before]
    removed = [k for k in before if k not in values]
    if changed:
        await db.execute(_SCORE_UPDATE, changed)
    if added:
        await db.execute(insert(_SCORE), added)
    if removed:
        await db.execute(delete(_SCORE).where(_SCORE.c.sheet_id == sheet_id, _SCORE.c.criterion_id.in_(removed)))
    session = db.sync_session
    loaded = session.identity_map.get(identity_key(ScoreSheet, sheet_id))
    if loaded is not None and "scores" in loaded.__dict__:
        for score in loaded.scores:
            session.expunge(score)
        session.expire(loaded, ["scores"])


def _check_open(panel_status: str) -> None:
    if panel_status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，评分表不能再修改"))


async def save(db: AsyncSession, clock: Clock, actor: Actor, draft: Draft, revision: int,
               raw: dict[int, str], comment: str, *, submit: bool = False, editor: str = "") -> Draft:
    """Save (autosave) or submit the sheet (`draft_of`), answering it as saved. Bad input changes
    nothing. `editor` is the page's token (see _claim)."""
    _check_open(draft.panel_status)
    action = "submit" if submit else "save"
    SHEET.check(action, draft.status)
    values, errors = parse_scores(draft.criteria, raw)
    if len(comment) > 4000:
        errors["comment"] = _("评语不能超过 4000 字")
    if submit and not errors:
        errors |= {f"c-{c.id}": _("请填写本项分数") for c in draft.criteria if c.id not in values}
    if errors:
        raise FormErrors(errors)
    total = sum(values.values(), Decimal(0)) if values else None
    changes: dict[str, Any] = {"comment": comment.strip(), "total": total}
    if submit:
        changes |= {"submitted_at": clock.now(), "salt": seal.new_salt()}
    written, found = await _claim(db, draft, revision, action, editor, changes)
    await _write_scores(db, draft.id, found, values)
    # the state as the claim's UPDATE moved it (SHEET.moving), read back from the row
    saved = replace(draft, status=written.status, revision=written.revision, total=total, values=values)
    # Sealed (DESIGN §5): the events carry no score, total or comment — the log is read while the
    # panel scores. A submit commits to the sheet instead; review.seal explains the commitment.
    if submit:
        await SHEET.record(db, clock, actor, "expert", saved, "submit", draft.status, {
            "panel": draft.panel_id, "bid": draft.code, "revision": saved.revision,
            "commitment": seal.commitment(draft.id, values, seal.comment_digest(changes["comment"]),
                                          changes["salt"])})
    else:  # a draft saved stays a draft: no state to name
        await audit.record(db, clock, actor, "expert", "sheet.save", "score_sheet", draft.id,
                           {"panel": draft.panel_id, "bid": draft.code, "revision": saved.revision})
    return saved


async def recuse(db: AsyncSession, clock: Clock, actor: Actor, ctx: SheetContext, reason: str) -> None:
    _check_open(ctx.panel.status)
    SHEET.check("recuse", ctx.sheet.status)
    if not reason.strip():
        raise FormErrors({"recusal_reason": _("请说明回避的理由")})
    ctx.sheet.recusal_reason = reason.strip()
    ctx.sheet.revision += 1
    # Neither the reason nor the review code in the event: in blind review a reason may name the
    # bidder, and a code beside the expert's own `expert.conflict` event (which names a cadre)
    # would tie that cadre to the code. The sheet keeps both for those who may read them.
    await SHEET.move(db, clock, actor, "expert", ctx.sheet, "recuse", {"panel": ctx.panel.id})


# --- the chair -----------------------------------------------------------------------------------

@dataclass
class ChairRow:
    """What the chair may know before close: a sheet's state and a deviation flag, no number —
    the row holds no sheet, so no page or fragment built from it can show a score."""

    sheet_id: int
    status: str
    expert: Expert
    code: str
    deviates: bool


async def chair_view(db: AsyncSession, actor: Actor, panel_id: int) -> tuple[Panel, Challenge, list[ChairRow]]:
    """Every sheet's state and whether it deviates — not the scores: they stay sealed."""
    panel, challenge, seat, expert = await expert_panel(db, actor, panel_id)
    if not policy.may_chair(actor, seat_facts(seat, expert)):
        raise PermissionDenied(_("只有评审组组长可以查看全组评分进度"))
    rows = (await db.execute(
        select(ScoreSheet, Expert, Bid.review_code).join(Expert, Expert.id == ScoreSheet.expert_id)
        .join(Bid, Bid.id == ScoreSheet.bid_id)
        .where(ScoreSheet.panel_id == panel.id, ScoreSheet.status != SheetStatus.VOID.value)
        .order_by(Bid.review_code, Expert.code))).all()
    totals: dict[int, list[Decimal]] = {}
    for sheet, _e, _c in rows:
        if sheet.status == SheetStatus.SUBMITTED.value and sheet.total is not None:
            totals.setdefault(sheet.bid_id, []).append(sheet.total)
    limit = challenge.deviation_share * sum((c.points for c in criteria_for(challenge, panel.purpose)), Decimal(0))

    def deviates(sheet: ScoreSheet) -> bool:
        peers = totals.get(sheet.bid_id, [])
        if sheet.status != SheetStatus.SUBMITTED.value or sheet.total is None or len(peers) < 2:
            return False
        return abs(sheet.total - sum(peers, Decimal(0)) / len(peers)) > limit

    return panel, challenge, [ChairRow(s.id, s.status, e, c or "", deviates(s)) for s, e, c in rows]


async def reopen(db: AsyncSession, clock: Clock, actor: Actor, panel_id: int, sheet_id: int, reason: str) -> None:
    panel, _challenge, _rows = await chair_view(db, actor, panel_id)
    if panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，评分表不能再退回"))
    sheet = await get_or_none(db, ScoreSheet, sheet_id)
    if sheet is None or sheet.panel_id != panel.id:
        raise NotFound(_("没有找到这份评分表"))
    SHEET.check("reopen", sheet.status)
    if not reason.strip():
        raise FormErrors({f"reason-{sheet.id}": _("请填写退回重评的理由")})
    sheet.submitted_at = None
    sheet.revision += 1
    expert = await db.get(Expert, sheet.expert_id)
    code = await db.scalar(select(Bid.review_code).where(Bid.id == sheet.bid_id))
    assert expert is not None
    await SHEET.move(db, clock, actor, "expert", sheet, "reopen",
                     {"panel": panel.id, "bid": code, "expert": expert.code, "reason": reason.strip()})
    await notify(db, clock, [expert.user_id], "review.reopened",
                 _("评分表被退回重评：{code}").format(code=code),
                 _("评审组组长退回了你对 {code} 的评分表，理由：{reason}").format(code=code, reason=reason.strip()),
                 f"/review/sheets/{sheet.id}")

