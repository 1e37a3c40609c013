"""A year and a half of one organizer's challenges, with known statistics (see `EXPECTED`).

Built on the execution story (one awarded challenge with three bids), then moved to fixed dates
so the numbers are known: ages and days are counted on the Beijing calendar, and two moments
sit just across midnight UTC+8 on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role, User
from arena.bids.models import Bid, BidStatus
from arena.challenges.models import Challenge, ChallengeStatus
from arena.clock import FrozenClock
from arena.execution.models import Project
from arena.records.models import Record, RecordStatus, RecordType
from arena.units.models import Cadre, Field
from tests.challenges.public_factories import make_challenge, make_organizer
from tests.execution.factories import awarded
from tests.factories import make_cadre, make_field, make_unit, make_user


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class Arranged:
    awarded_id: int  # A: published 2026-03-01, first award 45 days later
    published_id: int  # B: no field, one more bid by lead2 and a draft
    failed_id: int  # C: published 00:30 on 1 January 2026 in Beijing (still 2025 in UTC)
    cancelled_id: int  # D: 2025, one withdrawn bid by a young cadre
    draft_id: int  # E: never published


async def _bid(db: AsyncSession, challenge: Challenge, cadre: Cadre, status: BidStatus,
               submitted_at: datetime | None) -> Bid:
    bid = Bid(challenge_id=challenge.id, lead_id=cadre.id, status=status.value, submitted_at=submitted_at,
              number=f"{challenge.number or challenge.id}-{cadre.code}" if submitted_at else None)
    db.add(bid)
    await db.flush()
    return bid


def _record(project: Project, cadre_id: int, kind: RecordType, status: RecordStatus, on: date | None,
            n: int) -> Record:
    return Record(proposal_key=f"test:{project.id}:{n}", cadre_id=cadre_id, challenge_id=project.challenge_id,
                  project_id=project.id, trigger="grade_excellent", recipient="lead", record_type=kind.value,
                  proposed_type=kind.value, facts="{}", status=status.value, proposed_at=utc(2026, 5, 1),
                  document_number=f"江组〔2026〕{n}号" if on else None, document_date=on)


async def arrange(db: AsyncSession, clock: FrozenClock) -> Arranged:
    story = await awarded(db, clock)
    a = await db.get_one(Challenge, story.challenge_id)
    a.published_at = utc(2026, 3, 1, 2)  # 10:00 on 1 March in Beijing
    project = await db.get_one(Project, story.project_ids[0])
    project.awarded_at = utc(2026, 4, 14, 16, 30)  # 00:30 on 15 April in Beijing: 45 days (44 in UTC)
    bids = list((await db.scalars(select(Bid).where(Bid.challenge_id == a.id).order_by(Bid.id))).all())
    leads = [await db.get_one(Cadre, b.lead_id) for b in bids]
    for bid in bids:
        bid.submitted_at = utc(2026, 3, 10, 23, 30)  # 07:30 on 11 March in Beijing
    # lead1 wins, young and frontline; lead2 turns 35 on the Beijing day of submission (still 34
    # on the UTC date); lead3 turns 35 the day after.
    leads[0].birth_date, leads[0].frontline = date(1995, 6, 1), True
    leads[1].birth_date, leads[1].frontline = date(1991, 3, 11), True
    leads[2].birth_date = date(1991, 3, 12)
    assert project.lead_id == leads[0].id

    organizer = await db.get_one(User, a.organizer_id)
    digital = await db.get_one(Field, a.field_id)
    rural = await make_field(db, "乡村振兴与基层社会治理现代化综合改革", frontline=True)
    b = await make_challenge(db, organizer, status=ChallengeStatus.PUBLISHED, published_at=utc(2026, 6, 1, 2))
    await _bid(db, b, leads[1], BidStatus.SUBMITTED, utc(2026, 6, 10, 2))
    unit = await make_unit(db)
    newcomer = await make_cadre(db, unit, name="草稿人", birth_date=date(2001, 1, 1))
    await _bid(db, b, newcomer, BidStatus.DRAFT, None)
    c = await make_challenge(db, organizer, status=ChallengeStatus.FAILED, field=rural,
                             published_at=utc(2025, 12, 31, 16, 30))
    d = await make_challenge(db, organizer, status=ChallengeStatus.CANCELLED, field=digital,
                             published_at=utc(2025, 5, 1, 2))
    young = await make_cadre(db, unit, name="年轻人", birth_date=date(2000, 1, 1))
    await _bid(db, d, young, BidStatus.WITHDRAWN, utc(2025, 5, 5, 2))
    e = await make_challenge(db, organizer, status=ChallengeStatus.DRAFT, field=digital)

    # another organizer's challenge never counts
    other = await make_user(db, "org2", Role.ORGANIZER, name="另一发榜单位")
    f = await make_challenge(db, other, published_at=utc(2026, 2, 1))
    await _bid(db, f, young, BidStatus.SUBMITTED, utc(2026, 2, 2))

    db.add_all([
        _record(project, leads[0].id, RecordType.PRIORITY_PROMOTION, RecordStatus.EFFECTIVE, date(2026, 5, 1), 1),
        _record(project, leads[0].id, RecordType.PRIORITY_PROMOTION, RecordStatus.EFFECTIVE, date(2027, 1, 10), 2),
        _record(project, leads[0].id, RecordType.AWARD_INNOVATION, RecordStatus.EFFECTIVE, date(2026, 6, 1), 3),
        _record(project, leads[0].id, RecordType.AWARD_RESPONSIBILITY, RecordStatus.PROPOSED, None, 4),
        _record(project, leads[0].id, RecordType.POST_EXIT, RecordStatus.REJECTED, date(2026, 6, 1), 5),
    ])
    await db.commit()
    return Arranged(a.id, b.id, c.id, d.id, e.id)


async def empty_organizer(db: AsyncSession, username: str = "neworg") -> None:
    await make_organizer(db, username)
    await db.commit()
