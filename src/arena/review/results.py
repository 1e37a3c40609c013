"""Review results (评审结果), the organizer's side: progress (counts only, never scores),
closing a panel, which computes, freezes and hashes its results, reopening it after an upheld
objection, and verifying the frozen results against the sheets and the audit chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from arena.actor import Actor
from arena.audit.models import AuditEvent
from arena.bids.models import Bid
from arena.canonical import canonical_json
from arena.challenges import transitions as challenge_transitions
from arena.challenges.models import Challenge, ChallengeMode
from arena.challenges.queries import load_challenge_detail
from arena.clock import Clock
from arena.errors import DomainError, FormErrors, NotFound
from arena.execution.grades import Thresholds, grade_for
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.review import scoring, seal
from arena.review.models import (
    Panel,
    PanelPurpose,
    PanelSeat,
    ReviewResult,
    ScoreSheet,
    SeatStatus,
    SheetStatus,
)
from arena.review.service import criteria_for, panel_of
from arena.review.sheets import _sheet_counts
from arena.review.transitions import PANEL
from arena.units.models import Expert

CENT = Decimal("0.01")


# --- the organizer: progress, close, results ------------------------------------------------------

@dataclass
class SeatProgress:
    seat: PanelSeat
    submitted: int
    to_score: int


async def seats_with_progress(db: AsyncSession, panel: Panel) -> list[SeatProgress]:
    """Each drawn expert with the number of sheets submitted — counts only, never scores."""
    seats = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id)
                              .options(joinedload(PanelSeat.expert)).order_by(PanelSeat.drawn_rank))).all()
    counts = await _sheet_counts(db, [panel.id])
    return [SeatProgress(s, *counts.get((panel.id, s.expert_id), (0, 0))) for s in seats]


def missing_work(progress: list[SeatProgress]) -> int:
    """Sheets not yet submitted, plus seats still waiting for an answer."""
    waiting = sum(1 for p in progress if p.seat.status == SeatStatus.INVITED.value)
    return waiting + sum(p.to_score - p.submitted for p in progress if p.seat.status == SeatStatus.ACCEPTED.value)


def _rule(challenge: Challenge, panel: Panel) -> scoring.Rule:
    if panel.purpose == PanelPurpose.ACCEPTANCE.value:  # no winners: every project gets its grade
        return scoring.Rule(method=challenge.aggregation, trim_k=panel.trim_k,
                            deviation_share=challenge.deviation_share, pass_score=None, winners=0)
    return scoring.Rule(method=challenge.aggregation, trim_k=panel.trim_k, deviation_share=challenge.deviation_share,
                        pass_score=challenge.pass_score, winners=winners_wanted(challenge))


def winners_wanted(challenge: Challenge) -> int:
    """How many bids win: one, or the horse race's N parallel teams."""
    return challenge.horse_race_teams or 1 if challenge.mode == ChallengeMode.HORSE_RACE.value else 1


async def build_snapshot(db: AsyncSession, challenge: Challenge, panel: Panel, *, sealed: bool = True
                         ) -> dict[str, Any]:
    """The results as frozen: inputs (rule, criteria, every submitted sheet) and outputs. `sealed`
    adds each sheet's id, salt and comment digest, so each can be checked against the commitment
    its submit wrote (review.seal); False rebuilds a snapshot frozen before sealing existed."""
    rows = (await db.execute(
        select(ScoreSheet, Expert.code, Bid.review_code, Bid.number).join(Expert, Expert.id == ScoreSheet.expert_id)
        .join(Bid, Bid.id == ScoreSheet.bid_id)
        .where(ScoreSheet.panel_id == panel.id, ScoreSheet.status == SheetStatus.SUBMITTED.value)
        .options(selectinload(ScoreSheet.scores)).order_by(Bid.review_code, Expert.code))).all()
    criteria = criteria_for(challenge, panel.purpose)
    specs = [scoring.CriterionSpec(c.id, c.position, c.points) for c in criteria]
    # Quantized so the snapshot reads the same whether a value came from this session or the database.
    sheets = [scoring.SheetScores(expert, code or "", {s.criterion_id: s.value.quantize(CENT) for s in sheet.scores})
              for sheet, expert, code, _n in rows]
    rule = _rule(challenge, panel)
    result = scoring.compute(specs, sheets, rule)
    snapshot = {
        "challenge": {"id": challenge.id, "number": challenge.number, "title": challenge.title},
        "panel": panel.id,
        # Stored columns hold two places: written that way, a value from this session (a demo that
        # creates and closes at once) reads the same as one loaded from the database.
        "rule": {"method": rule.method, "trim_k": rule.trim_k, "deviation_share": _two(rule.deviation_share),
                 "pass_score": None if rule.pass_score is None else _two(rule.pass_score), "winners": rule.winners},
        "criteria": [{"id": c.id, "name": c.name, "points": _two(c.points)} for c in criteria],
        "bids": sorted({code or "": number for _s, _e, code, number in rows}.items()),
        "sheets": [{"expert": s.expert, "bid": s.bid, "total": str(s.total),
                    "scores": {str(k): str(v) for k, v in sorted(s.scores.items())}}
                   | (_sealed_fields(sheet) if sealed else {}) for s, (sheet, *_r) in zip(sheets, rows, strict=True)],
        "result": scoring.snapshot_dict(result),
    }
    from arena.review.opinion import snapshot_field  # it reads this module: imported here, not above

    snapshot |= snapshot_field(panel)  # the chair's 专家组综合意见, when written (absent before it existed)
    if panel.purpose == PanelPurpose.ACCEPTANCE.value:
        thresholds = Thresholds.of(challenge)
        snapshot["purpose"] = panel.purpose
        snapshot["grades"] = {"thresholds": thresholds.as_dict(),
                              "bids": {b.bid: grade_for(b.aggregate, thresholds).value for b in result.bids}}
    return snapshot


def _sealed_fields(sheet: ScoreSheet) -> dict[str, Any]:
    return {"sheet": sheet.id, "salt": sheet.salt, "comment_sha256": seal.comment_digest(sheet.comment)}


def _two(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def canonical(snapshot: dict[str, Any]) -> str:
    return canonical_json(snapshot)


async def close(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, reason: str,
                purpose: PanelPurpose = PanelPurpose.BID) -> ReviewResult:
    """Close review: compute, freeze and hash the results. Missing sheets need a reason. An
    acceptance panel's results give the grades (execution.acceptance carries them out)."""
    panel = await panel_of(db, challenge.id, purpose)
    if panel is None:
        raise DomainError(_("还没有抽取评审专家"))
    PANEL.check("close", panel.status)
    progress = await seats_with_progress(db, panel)
    missing = missing_work(progress)
    if missing and not reason.strip():
        raise FormErrors({"reason": _("还有 {n} 份评分表或邀请未完成，结束评审须说明理由").format(n=missing)})
    if not any(p.submitted for p in progress):
        raise DomainError(_("还没有任何已提交的评分表，不能结束评审"))
    snapshot = await build_snapshot(db, challenge, panel)
    text = canonical(snapshot)
    result = ReviewResult(panel_id=panel.id, challenge_id=challenge.id, snapshot=text,
                          sha256=hashlib.sha256(text.encode()).hexdigest(), frozen_at=clock.now(),
                          frozen_by_id=actor.user_id)
    db.add(result)
    panel.closed_at = clock.now()
    panel.close_reason = reason.strip() or None
    await PANEL.move(db, clock, actor, "organizer", panel, "close", {
        "challenge": challenge.id, "purpose": purpose.value, "sha256": result.sha256, "missing": missing,
        "reason": panel.close_reason, "winners": snapshot["result"]["winners"]})
    if purpose is PanelPurpose.BID and not snapshot["result"]["winners"]:
        # No bid reached the pass score: a failed listing (流榜), which may be re-published.
        await challenge_transitions.transition(db, clock, actor, challenge, "fail", {"reason": "no bid passed"})
    await notify(db, clock, [p.seat.expert.user_id for p in progress if p.seat.status == SeatStatus.ACCEPTED.value],
                 "review.closed", _("评审已结束：{title}").format(title=challenge.title),
                 _("该榜单的专家评审已结束，结果已冻结。"), "/review")
    return result


async def frozen_result(db: AsyncSession, panel: Panel) -> ReviewResult | None:
    """The panel's current results (a reopened review supersedes the earlier ones)."""
    return await db.scalar(select(ReviewResult).where(ReviewResult.panel_id == panel.id,
                                                      ReviewResult.superseded_at.is_(None))
                           .order_by(ReviewResult.id.desc()).limit(1))


async def reopen_panel(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, reason: str) -> Panel:
    """Reopen a closed bid review (an upheld objection, DESIGN §2.5): the frozen results are
    superseded and kept, the panel scores again, and the chair may reopen sheets; closing again
    freezes new results."""
    panel = await panel_of(db, challenge.id)
    if panel is None:
        raise DomainError(_("还没有抽取评审专家"))
    PANEL.check("reopen", panel.status)
    current = await frozen_result(db, panel)
    if current is not None:
        current.superseded_at = clock.now()
    panel.closed_at, panel.close_reason = None, None
    await PANEL.move(db, clock, actor, "organizer", panel, "reopen", {
        "challenge": challenge.id, "superseded": current.sha256 if current else None, "reason": reason})
    members = (await db.scalars(select(Expert.user_id).join(PanelSeat, PanelSeat.expert_id == Expert.id)
                                .where(PanelSeat.panel_id == panel.id,
                                       PanelSeat.status == SeatStatus.ACCEPTED.value))).all()
    await notify(db, clock, members, "review.reopened_panel", _("评审重新开启：{title}").format(title=challenge.title),
                 _("结果公示期间的异议经核实成立，评审重新开启。组长可退回评分表重评，评审结束后结果重新冻结。"),
                 "/review")
    return panel


@dataclass
class Verification:
    stored_sha256: str
    recomputed_sha256: str
    snapshot_matches: bool
    sealed: bool = False  # False: frozen before sealing, so there are no sheet commitments to check
    sheets: list[seal.SheetCheck] = field(default_factory=list)  # the frozen sheets against the chain
    changed: list[tuple[str, str]] = field(default_factory=list)  # (bid, expert) whose stored sheet moved

    @property
    def failed_sheets(self) -> list[seal.SheetCheck]:
        return [c for c in self.sheets if c.failed]

    @property
    def ok(self) -> bool:
        return (self.snapshot_matches and self.stored_sha256 == self.recomputed_sha256
                and not self.failed_sheets and not self.changed)


async def sheet_checks(db: AsyncSession, result: ReviewResult) -> list[seal.SheetCheck]:
    """Each sheet of a frozen snapshot against the commitment of its last submit before the
    freeze (a reopened and resubmitted sheet answers to its latest commitment)."""
    snapshot = json.loads(result.snapshot)
    if not seal.is_sealed(snapshot):
        return []
    ids = [str(s["sheet"]) for s in snapshot["sheets"]]
    events = (await db.execute(
        select(AuditEvent.object_id, AuditEvent.summary, AuditEvent.occurred_at)
        .where(AuditEvent.action == "sheet.submit", AuditEvent.object_type == "score_sheet",
               AuditEvent.object_id.in_(ids), AuditEvent.occurred_at <= result.frozen_at)
        .order_by(AuditEvent.seq))).all()
    commitments: dict[int, tuple[str, datetime]] = {}
    for object_id, summary, occurred_at in events:
        committed = json.loads(summary).get("commitment")
        if committed:  # later events overwrite earlier ones: the last submit counts
            commitments[int(object_id)] = (committed, occurred_at)
        else:
            commitments.pop(int(object_id), None)
    return seal.check_sheets(snapshot, commitments)


def _sheet_key(sheet: dict[str, Any]) -> tuple[str, str]:
    return str(sheet["bid"]), str(sheet["expert"])


async def verify_results(db: AsyncSession, challenge_id: int,
                         purpose: PanelPurpose = PanelPurpose.BID) -> Verification:
    """Recompute the results from the stored sheets and compare with the frozen snapshot; check
    every frozen sheet against the commitment its submit left in the audit chain. Which sheets
    fail is named: those not matching their commitment, and those changed since the freeze."""
    challenge = await load_challenge_detail(db, challenge_id)
    panel = await panel_of(db, challenge_id, purpose) if challenge else None
    stored = await frozen_result(db, panel) if panel else None
    if challenge is None or panel is None or stored is None:
        raise NotFound(_("该榜单没有冻结的评审结果"))
    frozen = json.loads(stored.snapshot)
    sealed = seal.is_sealed(frozen)
    recomputed = await build_snapshot(db, challenge, panel, sealed=sealed)
    text = canonical(recomputed)
    now = {_sheet_key(s): s for s in recomputed["sheets"]}
    then = {_sheet_key(s): s for s in frozen["sheets"]}
    changed = sorted(k for k in now.keys() | then.keys() if now.get(k) != then.get(k))
    return Verification(stored.sha256, hashlib.sha256(text.encode()).hexdigest(), text == stored.snapshot,
                        sealed, await sheet_checks(db, stored), changed)
