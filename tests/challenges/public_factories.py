"""Factories for published challenges, built straight from the models (the organizer's
services are another area's; these tests only need challenges in a given state)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role, User
from arena.challenges.models import (
    Amendment,
    Challenge,
    ChallengeMode,
    ChallengeStatus,
    Checkpoint,
    Criterion,
    CriterionKind,
    MilestoneTemplate,
    ToleranceCase,
)
from arena.units.models import Field, Unit
from tests.factories import make_field, make_unit, make_user

_seq = itertools.count(1)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # the `clock` fixture's moment

RUBRIC = [
    ("方案可行性", Decimal(30), "技术路线清晰，关键难点有对策"),
    ("目标先进性", Decimal(25), "考核指标具体、可量化"),
    ("团队能力", Decimal(25), "牵头人及成员的专业能力与实绩"),
    ("保障措施", Decimal(20), "进度、资金与风险保障"),
]


async def make_organizer(db: AsyncSession, username: str | None = None) -> User:
    return await make_user(db, username, Role.ORGANIZER, name="李明远")


async def make_challenge(
    db: AsyncSession,
    organizer: User,
    *,
    title: str | None = None,
    background: str = "江州市推进数字乡村建设，需要一套覆盖全市的村级治理平台。",
    status: ChallengeStatus = ChallengeStatus.PUBLISHED,
    field: Field | None = None,
    owner_unit: Unit | None = None,
    mode: ChallengeMode = ChallengeMode.SINGLE,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    published_at: datetime | None = None,
    budget: Decimal | None = Decimal("500"),
    rank_min: str | None = None,
    rank_max: str | None = None,
    age_limit: int | None = None,
    eligible_units: list[Unit] | None = None,
    eligible_fields: list[Field] | None = None,
    rubric: list[tuple[str, Decimal, str]] | None = None,
    **extra: Any,
) -> Challenge:
    """A challenge; published ones get a number and an open window around NOW by default."""
    n = next(_seq)
    published = status is not ChallengeStatus.DRAFT
    challenge = Challenge(
        title=title or f"数字乡村治理平台建设{n}",
        background=background, goals="覆盖全市 300 个行政村，村务公开率 100%。",
        deliverables="平台上线运行；运维手册；验收报告。",
        status=status.value, number=extra.pop("number", f"JB-2026-{n:04d}" if published else None),
        field_id=field.id if field else None, owner_unit_id=owner_unit.id if owner_unit else None,
        organizer_id=organizer.id, budget=budget, reward="一次性奖励 10 万元，实绩记入干部档案。",
        duration_months=12, mode=mode.value, horse_race_teams=3 if mode is ChallengeMode.HORSE_RACE else None,
        rank_min=rank_min, rank_max=rank_max, age_limit=age_limit,
        bid_opens_at=opens_at if opens_at is not None else (NOW - timedelta(days=3) if published else None),
        bid_closes_at=closes_at if closes_at is not None else (NOW + timedelta(days=10) if published else None),
        published_at=published_at if published_at is not None else (NOW - timedelta(days=3, minutes=n)
                                                                    if published else None),
        pass_score=Decimal("60"), **extra,
    )
    challenge.eligible_units = list(eligible_units or [])
    challenge.eligible_fields = list(eligible_fields or [])
    challenge.criteria = [Criterion(kind=CriterionKind.BID.value, position=i, name=name, points=points,
                                    guidance=guidance)
                          for i, (name, points, guidance) in enumerate(RUBRIC if rubric is None else rubric, 1)]
    db.add(challenge)
    await db.flush()
    return challenge


async def add_amendment(db: AsyncSession, challenge: Challenge, author: User, *, reason: str,
                        changes: list[dict[str, str]], at: datetime = NOW, seq: int = 1) -> Amendment:
    amendment = Amendment(challenge_id=challenge.id, seq=seq, reason=reason, published_at=at, author_id=author.id,
                          changes=json.dumps(changes, ensure_ascii=False, sort_keys=True))
    db.add(amendment)
    await db.flush()
    return amendment


async def make_full_challenge(db: AsyncSession, organizer: User, **kwargs: Any) -> Challenge:
    """A horse-race challenge with every section filled in: checkpoints, milestone template,
    acceptance rubric, fault-tolerance cases and an amendment."""
    unit = kwargs.pop("owner_unit", None) or await make_unit(db, "江州市数据局")
    field = kwargs.pop("field", None) or await make_field(db, "数字政府")
    challenge = await make_challenge(db, organizer, owner_unit=unit, field=field, mode=ChallengeMode.HORSE_RACE,
                                     **kwargs)
    challenge_id = challenge.id
    db.add_all([
        Checkpoint(challenge_id=challenge_id, position=1, title="中期比选", due_on=date(2027, 6, 30)),
        Checkpoint(challenge_id=challenge_id, position=2, title="终期比选", due_on=date(2027, 12, 31)),
        MilestoneTemplate(challenge_id=challenge_id, position=1, title="完成需求调研", due_month=2,
                          deliverable="需求调研报告"),
        MilestoneTemplate(challenge_id=challenge_id, position=2, title="平台试运行", due_month=8,
                          deliverable="试运行报告及用户反馈"),
        ToleranceCase(challenge_id=challenge_id, position=1,
                      description="因上级政策调整导致目标无法实现，且已及时报告的"),
        Criterion(challenge_id=challenge_id, kind=CriterionKind.ACCEPTANCE.value, position=1, name="目标完成度",
                  points=Decimal(60), guidance="对照考核指标逐项核验"),
        Criterion(challenge_id=challenge_id, kind=CriterionKind.ACCEPTANCE.value, position=2, name="群众满意度",
                  points=Decimal(40), guidance="第三方抽样调查"),
    ])
    await db.flush()
    await add_amendment(db, challenge, organizer, reason="应多个单位请求，延长揭榜时间",
                        changes=[{"item": "揭榜截止时间", "before": "2026-12-01 17:00", "after": "2026-12-08 17:00"}])
    return challenge
