"""The panel draw nobody can foresee or steer (DESIGN §5): the panel's settings, commitments,
the inspector's beacon, the draw itself, supplementary draws, and the proof anyone can recompute.

The steps, and who may take them:
1. The organizer publishes a commitment: the seed's hash, the candidate list frozen now (and
   its hash), the number of seats, and an outside public random source with its draw date — a
   day strictly after today (Beijing time). Nobody, the server included, can know that result yet.
2. On or after that date the inspector (纪检监察), not the organizer, enters the published
   result. The draw runs at once, in the same transaction: randomness = mix(seed, beacon,
   candidates_sha256, scope); seed and beacon are public from then on.
3. If the eligible experts are no longer the frozen list (someone's fields, conflicts or cap
   changed), the draw is refused: the organizer re-commits, saying why. So is any change of the
   panel size. A re-commitment is public, keeps the old one in the history, reveals the old seed
   (it can never be used again) and names a new, later beacon date.

Why re-committing cannot be used to roll until a panel suits: before the beacon is drawn nobody
knows what a commitment will give, so replacing it gains nothing; after the beacon is public,
anyone can compute what the replaced commitment would have drawn (its seed is revealed, its list
and source were public), so a replacement made to dodge an outcome is visible to every reader of
the verification page, with the reason given and the person who gave it in the audit log.

A supplementary draw (补充抽取), when declined seats outrun the reserves, is a commitment of its
own over the eligible experts not yet drawn for this panel, under the same rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import register_actions
from arena.auth.models import Role, User, UserRole
from arena.bids import service as bids_service
from arena.challenges.models import Challenge
from arena.clock import DISPLAY_TZ, Clock, day_of
from arena.db import valid_id
from arena.errors import DomainError, FormErrors, NotFound, PermissionDenied
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.notify.service import notify
from arena.review import draw as draw_math
from arena.review import policy
from arena.review.conflicts import challenge_parties, conflicted_bids, declared
from arena.review.models import (
    CommitmentKind,
    CommitmentStatus,
    DrawCommitment,
    Panel,
    PanelPurpose,
    PanelSeat,
    PanelStatus,
    SeatStatus,
)
from arena.review.service import STAGE, _invitation_title, criteria_for, page_of, panel_of
from arena.review.transitions import COMMITMENT, PANEL
from arena.units.models import Expert, expert_field

DEFAULT_BEACON_SOURCE = "中国福利彩票双色球开奖号码"
"""The outside source the form suggests: drawn on television three evenings a week, published by
the China Welfare Lottery and every newspaper, known to nobody before."""
BEACON_MAX_DAYS = 60
"""How far ahead a beacon date may be named: the draw should not wait a season."""

register_actions({"panel.recommit": lazy("重新公布抽取承诺"), "panel.commit_supplement": lazy("公布补充抽取承诺"),
                  "panel.draw_supplement": lazy("补充抽取评审专家")})


# --- the panel's settings -----------------------------------------------------------------

@dataclass(frozen=True)
class PanelSettings:
    size: int
    reserves: int
    trim_k: int | None


def parse_settings(raw: dict[str, str]) -> PanelSettings:
    """The organizer's panel form; FormErrors name each bad field."""
    errors: dict[str, str] = {}
    values: dict[str, int | None] = {}
    for name, low, high, optional in (("size", 3, 15, False), ("reserves", 0, 10, False), ("trim_k", 0, 3, True)):
        text = (raw.get(name) or "").strip()
        if not text and optional:
            values[name] = None
            continue
        if not text.isdigit() or not low <= int(text) <= high:
            errors[name] = _("请填写 {low}–{high} 之间的整数").format(low=low, high=high)
            continue
        values[name] = int(text)
    size = values.get("size")
    if "size" not in errors and size is not None and size % 2 == 0:
        errors["size"] = _("专家组人数须为奇数")
    trim_k = values.get("trim_k")
    if "trim_k" not in errors and trim_k is not None and size is not None and 2 * trim_k >= size:
        errors["trim_k"] = _("去掉的最高分和最低分份数过多，须少于专家组人数的一半")
    if errors:
        raise FormErrors(errors)
    assert size is not None and values["reserves"] is not None
    return PanelSettings(size, values["reserves"], trim_k)


# --- the organizer's commitment ------------------------------------------------------------

@dataclass(frozen=True)
class BeaconPlan:
    """The outside random source a commitment names: what, and the date of its draw."""

    source: str
    on: date


def default_plan(clock: Clock) -> BeaconPlan:
    """The next day's lottery: what the form proposes, and what the demo uses."""
    return BeaconPlan(DEFAULT_BEACON_SOURCE, clock.today() + timedelta(days=1))


def parse_plan(raw: dict[str, str], clock: Clock) -> BeaconPlan:
    """The beacon fields of the commitment form; FormErrors name each bad field."""
    errors: dict[str, str] = {}
    source = " ".join((raw.get("beacon_source") or "").split())
    if not source or len(source) > 100:
        errors["beacon_source"] = _("请填写公开随机源（最多 100 个字符），例如“中国福利彩票双色球开奖号码”")
    today = clock.today()
    on: date | None = None
    try:
        on = date.fromisoformat((raw.get("beacon_date") or "").strip())
    except ValueError:
        errors["beacon_date"] = _("请按 2026-12-08 的格式填写开奖日期")
    if on is not None and not today < on <= today + timedelta(days=BEACON_MAX_DAYS):
        errors["beacon_date"] = _("开奖日期须在今天（{today}）之后、{days} 天之内：承诺公布时谁都不能知道它的结果"
                                  ).format(today=today.isoformat(), days=BEACON_MAX_DAYS)
    if errors:
        raise FormErrors(errors)
    assert on is not None
    return BeaconPlan(source, on)


async def commitments(db: AsyncSession, panel: Panel) -> list[DrawCommitment]:
    """Every commitment of the panel, in the order published."""
    return list((await db.scalars(select(DrawCommitment).where(DrawCommitment.panel_id == panel.id)
                                  .order_by(DrawCommitment.ordinal))).all())


async def open_commitment(db: AsyncSession, panel: Panel) -> DrawCommitment | None:
    return await db.scalar(select(DrawCommitment).where(DrawCommitment.panel_id == panel.id,
                                                        DrawCommitment.status == CommitmentStatus.OPEN.value)
                           .order_by(DrawCommitment.ordinal.desc()).limit(1))


async def commit(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, settings: PanelSettings,
                 *, plan: BeaconPlan | None = None, reason: str = "", seed: str | None = None,
                 purpose: PanelPurpose = PanelPurpose.BID) -> Panel:
    """Publish the commitment for the draw, or replace it (with `reason`) before the draw.

    The candidate list is read and frozen here. `seed` is for the demo data only, so its panels
    are the same on every machine; real draws get a fresh secret. An acceptance panel is checked
    for readiness by execution.acceptance before it comes here."""
    if challenge.status != STAGE[purpose].value:
        raise DomainError(_("资格审查结束、榜单进入专家评审后才能组建专家组") if purpose is PanelPurpose.BID
                          else _("榜单实施阶段才能组建验收专家组"))
    if purpose is PanelPurpose.ACCEPTANCE and not criteria_for(challenge, purpose):
        raise DomainError(_("本榜单还没有验收评分细则，请先在验收页面录入"))
    plan = plan or default_plan(clock)
    panel = await panel_of(db, challenge.id, purpose)
    previous = None
    if panel is not None:
        PANEL.check("commit", panel.status)
        if not reason.strip():
            raise FormErrors({"reason": _("抽取承诺已经公布：更改设置或候选名单须重新公布承诺，请说明理由（将公开）")})
        previous = await open_commitment(db, panel)
    pool = await candidates(db, challenge, clock.now(), purpose)
    if len(pool) < settings.size:
        raise DomainError(_("符合条件的专家只有 {n} 名，少于专家组人数 {size} 名：请调整专家组人数，"
                            "或请管理员补充该领域的专家").format(n=len(pool), size=settings.size))
    codes = [e.code for e in pool]
    seed = seed or draw_math.new_seed()
    if panel is None:
        panel = Panel(challenge_id=challenge.id, purpose=purpose.value, seed=seed,
                      seed_commitment=draw_math.commitment(seed), committed_at=clock.now())
        db.add(panel)
        await db.flush()
    if previous is not None:
        _replace(previous, clock)
    ordinal = (await db.scalar(select(func.max(DrawCommitment.ordinal)).where(
        DrawCommitment.panel_id == panel.id)) or 0) + 1
    made = _new_commitment(panel, ordinal, CommitmentKind.PANEL, settings.size, settings.reserves, seed, codes,
                           plan, clock.now(), actor, reason.strip() or None)
    db.add(made)
    panel.seed, panel.seed_commitment, panel.committed_at = seed, made.seed_commitment, made.committed_at
    panel.candidates, panel.candidates_sha256 = made.candidates, made.candidates_sha256
    panel.size, panel.reserves, panel.trim_k = settings.size, settings.reserves, settings.trim_k
    if purpose is PanelPurpose.BID:
        challenge.panel_size, challenge.panel_reserves = settings.size, settings.reserves
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "panel.recommit" if previous else "panel.commit", "panel",
                       panel.id, _commit_facts(challenge, made, purpose) | {
                           "trim_k": settings.trim_k,
                           **({"replaces": previous.ordinal, "replaced_seed": previous.seed} if previous else {})})
    await _tell_inspectors(db, clock, challenge, made, purpose)
    return panel


def _replace(previous: DrawCommitment, clock: Clock) -> None:
    """The open commitment gives way to a new one; the event publishing the new one names it
    (`replaces`, `replaced_seed`), so it has no event of its own."""
    COMMITMENT.move_quietly(previous, "replace")
    previous.replaced_at = clock.now()


def _new_commitment(panel: Panel, ordinal: int, kind: CommitmentKind, seats: int, reserves: int, seed: str,
                    codes: list[str], plan: BeaconPlan, now: datetime, actor: Actor,
                    reason: str | None) -> DrawCommitment:
    return DrawCommitment(
        panel_id=panel.id, ordinal=ordinal, kind=kind.value, method=draw_math.METHOD_BEACON,
        status=CommitmentStatus.OPEN.value, seats=seats, reserves=reserves, seed=seed,
        seed_commitment=draw_math.commitment(seed), candidates=draw_math.canonical_candidates(codes),
        candidates_sha256=draw_math.candidates_hash(codes), beacon_source=plan.source, beacon_date=plan.on,
        committed_at=now, committed_by_id=actor.user_id, reason=reason)


def _commit_facts(challenge: Challenge, made: DrawCommitment, purpose: PanelPurpose) -> dict[str, object]:
    return {"challenge": challenge.id, "purpose": purpose.value, "ordinal": made.ordinal, "kind": made.kind,
            "commitment": made.seed_commitment, "candidates_sha256": made.candidates_sha256,
            "candidates": json.loads(made.candidates or "[]"), "size": made.seats, "reserves": made.reserves,
            "beacon_source": made.beacon_source, "beacon_date": made.beacon_date.isoformat() if made.beacon_date
            else None, "reason": made.reason}


async def _tell_inspectors(db: AsyncSession, clock: Clock, challenge: Challenge, made: DrawCommitment,
                           purpose: PanelPurpose) -> None:
    inspectors = (await db.scalars(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == Role.INSPECTOR.value, User.is_active.is_(True)))).all()
    assert made.beacon_date is not None
    body = _("请在 {date} 开奖后，把“{source}”的开奖结果录入平台，系统随即抽取评审专家。").format(
        date=made.beacon_date.isoformat(), source=made.beacon_source)
    if made.reason:
        body += _("本承诺替换了此前的承诺，理由：{reason}").format(reason=made.reason)
    await notify(db, clock, inspectors, "review.beacon_due",
                 _("待录入抽取随机源：{title}").format(title=challenge.title), body,
                 f"/inspector/draws/{challenge.id}/{purpose.value}")


async def commit_supplement(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge,
                            purpose: PanelPurpose = PanelPurpose.BID, *, plan: BeaconPlan | None = None,
                            reason: str = "", seed: str | None = None) -> DrawCommitment:
    """Commit a supplementary draw (补充抽取) for the seats left empty once no reserve is left,
    over the eligible experts never drawn for this panel. Same rules as the first commitment."""
    panel = await panel_of(db, challenge.id, purpose)
    if panel is None or panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("只有评审进行中才能补充抽取专家"))
    seats = list((await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id))).all())
    if any(s.status == SeatStatus.RESERVE.value for s in seats):
        raise DomainError(_("还有后备专家可以递补，不需要补充抽取"))
    missing = panel.size - sum(s.status in (SeatStatus.INVITED.value, SeatStatus.ACCEPTED.value) for s in seats)
    previous = await open_commitment(db, panel)
    if previous is not None:
        if not reason.strip():
            raise FormErrors({"reason": _("补充抽取承诺已经公布：重新公布须说明理由（将公开）")})
        missing = previous.seats
    if missing <= 0:
        raise DomainError(_("专家组没有空缺，不需要补充抽取"))
    taken = {s.expert_id for s in seats}
    pool = [e for e in await candidates(db, challenge, clock.now(), purpose) if e.id not in taken]
    if len(pool) < missing:
        raise DomainError(_("尚未抽取过的符合条件的专家只有 {n} 名，少于空缺 {missing} 名：请管理员补充该领域的专家")
                          .format(n=len(pool), missing=missing))
    if previous is not None:
        _replace(previous, clock)
    ordinal = (await db.scalar(select(func.max(DrawCommitment.ordinal)).where(
        DrawCommitment.panel_id == panel.id)) or 0) + 1
    made = _new_commitment(panel, ordinal, CommitmentKind.SUPPLEMENT, missing, 0, seed or draw_math.new_seed(),
                           [e.code for e in pool], plan or default_plan(clock), clock.now(), actor,
                           reason.strip() or None)
    db.add(made)
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "panel.commit_supplement", "panel", panel.id,
                       _commit_facts(challenge, made, purpose)
                       | ({"replaces": previous.ordinal, "replaced_seed": previous.seed} if previous else {}))
    await _tell_inspectors(db, clock, challenge, made, purpose)
    return made


def _year_bounds(moment: datetime) -> tuple[datetime, datetime]:
    local = moment.astimezone(DISPLAY_TZ)
    start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return start, start.replace(year=start.year + 1)


async def candidates(db: AsyncSession, challenge: Challenge, now: datetime,
                     purpose: PanelPurpose = PanelPurpose.BID) -> list[Expert]:
    """Experts who may be drawn: in the challenge's field, with an account, no conflict with any
    bid the panel scores, and under their annual cap of panels. Sorted by code."""
    start, end = _year_bounds(now)
    seats_this_year = (select(func.count()).select_from(PanelSeat).join(Panel, Panel.id == PanelSeat.panel_id)
                       .where(PanelSeat.expert_id == Expert.id,
                              PanelSeat.status.in_([SeatStatus.INVITED.value, SeatStatus.ACCEPTED.value]),
                              Panel.drawn_at >= start, Panel.drawn_at < end)
                       .correlate(Expert).scalar_subquery())
    in_field = (select(Expert).join(expert_field, expert_field.c.expert_id == Expert.id)
                .where(expert_field.c.field_id == challenge.field_id, Expert.user_id.is_not(None),
                       seats_this_year < Expert.annual_panel_cap)
                .order_by(Expert.code))
    experts = list((await db.scalars(in_field)).all())
    parties = await challenge_parties(db, challenge.id, purpose)
    declarations = await declared(db, [e.id for e in experts])
    return [e for e in experts if not conflicted_bids(e, parties, declarations.get(e.id, []))]


# --- the inspector's beacon: the draw itself ------------------------------------------------

async def draw_panel(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, beacon: str,
                     purpose: PanelPurpose = PanelPurpose.BID) -> Panel:
    """The inspector enters the outside source's published result; the open commitment (the
    panel's, or a supplementary one) is drawn at once from its frozen list."""
    if not policy.may_enter_beacon(actor):
        raise PermissionDenied(_("公开随机源的开奖结果只能由纪检监察录入"))
    panel = await panel_of(db, challenge.id, purpose)
    made = await open_commitment(db, panel) if panel is not None else None
    if panel is None or made is None:
        raise DomainError(_("该榜单没有待抽取的承诺"))
    if made.method != draw_math.METHOD_BEACON or made.candidates is None or made.beacon_date is None:
        raise DomainError(_("该承诺按旧方法公布，没有冻结候选名单和公开随机源：请发榜单位重新公布抽取承诺"))
    today = clock.today()
    if today < made.beacon_date:
        raise DomainError(_("“{source}”{date} 的开奖结果公布后才能录入（今天是 {today}）").format(
            source=made.beacon_source, date=made.beacon_date.isoformat(), today=today.isoformat()))
    value = draw_math.normalize_beacon(beacon)
    if not value or len(value) > 200:
        raise FormErrors({"beacon": _("请照录公布的开奖结果（最多 200 个字符）")})
    supplement = made.kind == CommitmentKind.SUPPLEMENT.value
    if supplement and panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("只有评审进行中才能补充抽取专家"))
    if not supplement:
        PANEL.check("draw", panel.status)
    seats = list((await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id))).all())
    now = clock.now()
    live = [e for e in await candidates(db, challenge, now, purpose) if e.id not in {s.expert_id for s in seats}]
    frozen: list[str] = json.loads(made.candidates)
    if sorted(e.code for e in live) != sorted(frozen):
        raise DomainError(changed_message(made, frozen, [e.code for e in live]))
    made.beacon, made.beacon_by_id = value, actor.user_id
    mixed = draw_math.mix(made.seed, value, made.candidates_sha256 or "", scope(panel, made))
    result = draw_math.draw(mixed, frozen, made.seats, made.reserves)
    by_code = {e.code: e for e in live}
    first = max((s.drawn_rank for s in seats), default=0)
    for rank, code in enumerate(result.drawn, start=first + 1):
        member = rank - first <= made.seats
        db.add(PanelSeat(panel_id=panel.id, expert_id=by_code[code].id, drawn_rank=rank,
                         status=(SeatStatus.INVITED if member else SeatStatus.RESERVE).value,
                         invited_at=now if member else None))
    COMMITMENT.move_quietly(made, "draw")  # the panel's draw event below names it (`ordinal`)
    made.drawn_at = now
    made.drawn = json.dumps(list(result.drawn), separators=(",", ":"))
    facts = {"challenge": challenge.id, "purpose": purpose.value, "ordinal": made.ordinal,
             "seed": made.seed, "beacon_source": made.beacon_source,
             "beacon_date": made.beacon_date.isoformat(), "beacon": value,
             "candidates_sha256": made.candidates_sha256, "randomness": mixed,
             "members": list(result.members), "reserves": list(result.reserves)}
    if supplement:  # the panel stays drawn: new seats, no move of its own
        await db.flush()
        await audit.record(db, clock, actor, "inspector", "panel.draw_supplement", "panel", panel.id, facts)
    else:
        panel.drawn, panel.drawn_at = made.drawn, now
        if purpose is PanelPurpose.BID:
            await bids_service.assign_review_codes(db, challenge.id, mixed)
        await PANEL.move(db, clock, actor, "inspector", panel, "draw", facts)
    await notify(db, clock, [by_code[c].user_id for c in result.members], "review.invited",
                 _invitation_title(purpose, challenge), _("你被随机抽取为该榜单的评审专家，请确认是否参加。"),
                 "/review")
    await notify(db, clock, [challenge.organizer_id], "review.drawn",
                 _("已抽取评审专家：{title}").format(title=challenge.title),
                 _("纪检监察已录入公开随机源的开奖结果，系统已完成抽取。"),
                 f"/organizer/challenges/{challenge.id}/{page_of(purpose)}")
    return panel


def scope(panel: Panel, made: DrawCommitment) -> str:
    return draw_math.scope_of(panel.challenge_id, panel.purpose, made.ordinal)


def changed_message(made: DrawCommitment, frozen: list[str], live: list[str]) -> str:
    added, gone = sorted(set(live) - set(frozen)), sorted(set(frozen) - set(live))
    parts = []
    if gone:
        parts.append(_("不再符合条件：{codes}").format(codes="、".join(gone)))
    if added:
        parts.append(_("新符合条件：{codes}").format(codes="、".join(added)))
    at = made.committed_at.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")
    return _("符合条件的专家自 {at} 公布承诺以来已有变化（{changes}），不能按冻结的候选名单抽取。"
             "请发榜单位说明理由重新公布抽取承诺；新承诺与原承诺都会在公开验证页列出。").format(
        at=at, changes="；".join(parts))


# --- the proof anyone can recompute -----------------------------------------------------------

@dataclass(frozen=True)
class CommitmentProof:
    """One commitment as the public page shows it, with its own check once drawn."""

    row: DrawCommitment
    scope: str
    candidates: list[str]
    drawn: list[str]
    randomness: str | None
    problems: list[str]

    @property
    def revealed(self) -> bool:
        """The seed is public once drawn or replaced; an open commitment keeps it secret."""
        return self.row.status != CommitmentStatus.OPEN.value

    @property
    def replaced_late(self) -> bool:
        """Replaced on or after its own lottery day: the result may have been out, so whoever
        replaced it could have known what it would draw. Allowed (the pool may really have
        changed), but the page says so, and the revealed seed lets anyone check what it dodged."""
        c = self.row
        return (c.status == CommitmentStatus.REPLACED.value and c.replaced_at is not None
                and c.beacon_date is not None and day_of(c.replaced_at) >= c.beacon_date)


def published(panel: Panel, made: DrawCommitment) -> draw_math.Published:
    revealed = made.status != CommitmentStatus.OPEN.value
    return draw_math.Published(
        method=made.method, scope=scope(panel, made), seed_commitment=made.seed_commitment,
        candidates_json=made.candidates, candidates_sha256=made.candidates_sha256, size=made.seats,
        reserves=made.reserves, seed=made.seed if revealed else None, beacon=made.beacon,
        drawn=json.loads(made.drawn) if made.drawn is not None else None)


async def proof(db: AsyncSession, challenge_id: int,
                purpose: PanelPurpose = PanelPurpose.BID) -> tuple[Panel, list[CommitmentProof], list[str]]:
    """The panel, each commitment with its recomputation, and the problems of the whole (the
    drawn commitments' plus "seats" when the stored seats are not what they drew)."""
    panel = await panel_of(db, challenge_id, purpose) if valid_id(challenge_id) else None
    if panel is None:
        raise NotFound(_("该榜单还没有公布评审专家抽取承诺值"))
    rows = await commitments(db, panel) or [_legacy(panel)]
    proofs = []
    for made in rows:
        facts = published(panel, made)
        drawn = made.status == CommitmentStatus.DRAWN.value
        proofs.append(CommitmentProof(made, facts.scope, json.loads(made.candidates or "[]"),
                                      list(facts.drawn or []), draw_math.randomness(facts) if drawn else None,
                                      draw_math.verify_published(facts) if drawn else []))
    problems = sorted({p for c in proofs for p in c.problems})
    main = next((c.row for c in proofs if c.row.kind == CommitmentKind.PANEL.value
                 and c.row.status == CommitmentStatus.DRAWN.value), None)
    if main is not None and (panel.seed, panel.seed_commitment, panel.candidates, panel.candidates_sha256,
                             panel.drawn) != (main.seed, main.seed_commitment, main.candidates,
                                              main.candidates_sha256, main.drawn):
        problems.append("panel")  # the panel's own copy (shown on the challenge page) was changed
    stored = list((await db.scalars(select(Expert.code).join(PanelSeat, PanelSeat.expert_id == Expert.id)
                                    .where(PanelSeat.panel_id == panel.id).order_by(PanelSeat.drawn_rank))).all())
    if stored != [code for c in proofs for code in c.drawn]:
        problems.append("seats")
    return panel, proofs, problems


def _legacy(panel: Panel) -> DrawCommitment:
    """A panel without commitment rows (not written by Arena since 2026-12): its own columns,
    read as one commitment by the old rule."""
    return DrawCommitment(panel_id=panel.id, ordinal=1, kind=CommitmentKind.PANEL.value,
                          method=draw_math.METHOD_SEED,
                          status=(CommitmentStatus.DRAWN if panel.drawn_at else CommitmentStatus.OPEN).value,
                          seats=panel.size, reserves=panel.reserves, seed=panel.seed,
                          seed_commitment=panel.seed_commitment, candidates=panel.candidates,
                          candidates_sha256=panel.candidates_sha256, committed_at=panel.committed_at,
                          drawn_at=panel.drawn_at, drawn=panel.drawn)


async def verify_draw(db: AsyncSession, challenge_id: int,
                      purpose: PanelPurpose = PanelPurpose.BID) -> tuple[Panel, list[str]]:
    """The panel and what does not verify (empty: every draw of it recomputes)."""
    panel, _proofs, problems = await proof(db, challenge_id, purpose)
    if panel.drawn_at is None:
        raise NotFound(_("该榜单还没有抽取评审专家"))
    return panel, problems


# --- the inspector's list -------------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    challenge: Challenge
    panel: Panel
    commitment: DrawCommitment
    due: bool  # the beacon date has come


async def waiting_for_beacon(db: AsyncSession, clock: Clock) -> list[Waiting]:
    """Open commitments the inspector will enter a beacon for, the due ones first."""
    rows = (await db.execute(select(DrawCommitment, Panel, Challenge).join(Panel, Panel.id == DrawCommitment.panel_id)
                             .join(Challenge, Challenge.id == Panel.challenge_id)
                             .where(DrawCommitment.status == CommitmentStatus.OPEN.value)
                             .order_by(DrawCommitment.beacon_date, DrawCommitment.id))).tuples().all()
    today = clock.today()
    found = [Waiting(c, p, d, d.beacon_date is not None and d.beacon_date <= today) for d, p, c in rows]
    return sorted(found, key=lambda w: not w.due)


def explain(proofs: list[CommitmentProof]) -> list[str]:
    """The recomputation in plain Chinese, one line per step, for `arena draw verify` (the command
    speaks Chinese like the page; the inputs are printed so the reader can redo each step)."""
    kinds = {CommitmentKind.PANEL.value: "抽取专家组", CommitmentKind.SUPPLEMENT.value: "补充抽取"}
    lines = []
    for p in proofs:
        c = p.row
        lines.append(f"第 {c.ordinal} 次承诺（{kinds.get(c.kind, c.kind)}），公布于 "
                     f"{c.committed_at.astimezone(DISPLAY_TZ):%Y-%m-%d %H:%M}：种子承诺值 {c.seed_commitment}")
        if c.reason:
            lines.append(f"  替换前一次承诺的理由：{c.reason}")
        if c.status == CommitmentStatus.REPLACED.value:
            lines.append(f"  已被替换，作废；其种子已公开：{c.seed}")
            continue
        if c.status == CommitmentStatus.OPEN.value:
            lines.append(f"  尚未抽取：等待 {c.beacon_source} {c.beacon_date} 的开奖结果")
            continue
        lines.append(f"  1. SHA-256(种子 {c.seed}) 应等于种子承诺值")
        lines.append(f"  2. 冻结的候选名单（{len(p.candidates)} 名）{c.candidates}，"
                     f"其 SHA-256 应为 {c.candidates_sha256}")
        if c.method == draw_math.METHOD_SEED:
            lines.append("  3. 旧方法（无公开随机源）：最终随机数即种子")
        else:
            lines.append(f"  3. 公开随机源 {c.beacon_source} {c.beacon_date} 开奖结果：{c.beacon}")
            lines.append(f"  4. 最终随机数 = SHA-256({{beacon, candidates_sha256, scope={p.scope}, seed}} 的规范 JSON)"
                         f" = {p.randomness}")
        lines.append(f"  5. 按 SHA-256(最终随机数:编号) 从小到大排序，取前 {c.seats} 名"
                     + (f"，其后 {c.reserves} 名为后备" if c.reserves else "") + f"：{'、'.join(p.drawn)}")
        lines.append("  结果一致" if not p.problems else f"  不一致：{', '.join(p.problems)}")
    return lines
