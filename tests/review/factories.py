"""A challenge in review: qualified bids with submitted versions, and an expert pool around it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role
from arena.bids.models import Bid, BidMember, BidStatus, BidVersion, MemberStatus
from arena.challenges.models import ChallengeStatus
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.factories import make_cadre, make_expert, make_field, make_unit, make_user

LEADS = ("欧阳明辉", "司马静怡", "诸葛晓峰")
MEMBER = "上官婉清"
UNITS = ("青禾县水务局", "白石镇人民政府", "东湖街道办事处")


@dataclass
class Review:
    challenge_id: int
    organizer: str = "org"
    bid_ids: list[int] = field(default_factory=list)
    experts: dict[str, int] = field(default_factory=dict)  # username → expert id
    secret_words: list[str] = field(default_factory=list)  # what must never reach an expert in blind review


async def make_review(db: AsyncSession, *, experts: int = 8, blind: bool = True, bids: int = 3,
                      same_unit_expert: bool = True, pass_score: str = "60") -> Review:
    """A reviewing challenge with `bids` qualified bids (the first with a confirmed team member)
    and `experts` experts in its field, with accounts expert1…; when `same_unit_expert`, one more
    expert ("conflicted") works in the first bidder's unit."""
    organizer = await make_organizer(db, "org")
    fld = await make_field(db, "数字治理")
    challenge = await make_challenge(db, organizer, field=fld, status=ChallengeStatus.REVIEWING,
                                     opens_at=NOW - timedelta(days=30), closes_at=NOW - timedelta(days=5),
                                     blind_review=blind)
    challenge.pass_score = Decimal(pass_score)
    review = Review(challenge.id)
    units = [await make_unit(db, name) for name in UNITS]
    member_user = await make_user(db, "member", Role.CADRE, name=MEMBER)
    member = await make_cadre(db, units[0], member_user, name=MEMBER)
    for index in range(bids):
        user = await make_user(db, f"lead{index + 1}", Role.CADRE, name=LEADS[index])
        cadre = await make_cadre(db, units[index], user, name=LEADS[index])
        bid = Bid(challenge_id=challenge.id, lead_id=cadre.id, status=BidStatus.QUALIFIED.value,
                  number=f"{challenge.number}-B00{index + 1}", submitted_at=NOW - timedelta(days=6),
                  submitted_version=1, plan=f"方案{index}", commitment="承诺")
        db.add(bid)
        await db.flush()
        team = []
        if index == 0:
            db.add(BidMember(bid_id=bid.id, challenge_id=challenge.id, cadre_id=member.id, duty="数据治理",
                             status=MemberStatus.CONFIRMED.value))
            team = [{"code": member.code, "duty": "数据治理"}]
        content = {"challenge": {"id": challenge.id, "number": challenge.number}, "lead": cadre.code,
                   "plan": f"由{LEADS[index]}牵头，联合{UNITS[index]}推进第{index + 1}套方案。",
                   "commitment": "按期完成全部节点任务。", "team": team,
                   "milestones": [{"title": "完成调研", "due_on": "2027-03-01", "deliverable": "调研报告",
                                   "kpi": "覆盖全部村", "template": None}],
                   "attachments": []}
        text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        db.add(BidVersion(bid_id=bid.id, version_no=1, content=text, sha256="0" * 64, submitted_at=NOW,
                          submitted_by_id=user.id))
        review.bid_ids.append(bid.id)
    pool_unit = await make_unit(db, "江州大学")
    for n in range(1, experts + 1):
        user = await make_user(db, f"expert{n}", Role.EXPERT, name=f"专家{n}")
        expert = await make_expert(db, pool_unit, user, name=f"专家{n}", fields=[fld])
        review.experts[f"expert{n}"] = expert.id
    if same_unit_expert:
        user = await make_user(db, "conflicted", Role.EXPERT, name="同单位专家")
        expert = await make_expert(db, units[0], user, name="同单位专家", fields=[fld])
        review.experts["conflicted"] = expert.id
    await db.commit()
    review.secret_words = [*LEADS[:bids], MEMBER, *UNITS[:bids]]
    return review


BEACON = "03 07 12 19 25 33 + 09"
"""The lottery result tests enter for the draw (any text works; the inspector copies the real one)."""


async def inspector(db: AsyncSession):
    """The inspector (纪检监察) who enters the beacon, made on first use."""
    from sqlalchemy import select

    from arena.auth.models import User
    from arena.auth.service import actor_for

    user = await db.scalar(select(User).where(User.username == "insp"))
    if user is None:
        user = await make_user(db, "insp", Role.INSPECTOR)
    return actor_for(user)


async def commit_and_draw(db: AsyncSession, clock, organizer, challenge, settings, purpose=None, *, seed=None):
    """A draw by the real rules without moving the test's clock: committed a day earlier, naming
    today's lottery, whose result the inspector enters now."""
    from arena.clock import FrozenClock
    from arena.execution import acceptance
    from arena.review import panel_draw
    from arena.review.models import PanelPurpose

    purpose = purpose or PanelPurpose.BID
    day_before = FrozenClock(clock.now() - timedelta(days=1))
    plan = panel_draw.BeaconPlan(panel_draw.DEFAULT_BEACON_SOURCE, clock.today())
    if purpose is PanelPurpose.ACCEPTANCE:
        await acceptance.commit(db, day_before, organizer, challenge, settings, plan=plan, seed=seed)
    else:
        await panel_draw.commit(db, day_before, organizer, challenge, settings, plan=plan, seed=seed)
    return await panel_draw.draw_panel(db, clock, await inspector(db), challenge, BEACON, purpose)
