"""Demo bids in every state so far: drafts (one with a team invitation waiting), submitted with a
confirmed team, withdrawn, qualified, disqualified, vetoed, and a failed listing.

Bids on challenges whose window has closed are submitted while it is (briefly) open, then the
window is put back, so every service runs with its real rules and the audit times stay in order."""

from __future__ import annotations

from datetime import datetime, timedelta

from arena.bids import qualification, service
from arena.bids.models import Bid
from arena.challenges.models import Challenge
from arena.challenges.queries import organizer_challenge
from arena.demo import DemoContext, demo_step

PLAN = ("一、摸清底数：用一个月完成现状调研，形成问题清单和责任清单；\n"
        "二、集中攻坚：按节点任务倒排工期，每周调度，重大问题专题会商；\n"
        "三、总结推广：形成可复制的制度成果，接受第三方评估。")
COMMITMENT = "本人自愿揭榜，保证按节点任务推进，接受组织考核；未完成目标的，愿意接受相应处理。"


async def _bid(ctx: DemoContext, story: str, cadre: str, *, submit: bool = True,
               team: tuple[tuple[str, bool], ...] = ()) -> Bid:
    """cadre's bid on the story's challenge: drafted, team invited (and confirmed), submitted."""
    db, clock = ctx.session, ctx.clock
    actor = ctx.actors[cadre]
    bid = await service.start_bid(db, clock, actor, ctx.challenges[story])
    bid = await service.get_own_bid(db, actor, bid.id)
    milestones = [service.MilestoneDraft(m.title, m.due_on, m.deliverable, f"按期完成“{m.title}”并通过评估",
                                         m.template_id) for m in bid.milestones]
    await service.save_draft(db, clock, actor, bid, service.BidDraft(bid.revision, PLAN, COMMITMENT, milestones))
    for member, confirm in team:
        invited = await service.invite(db, clock, actor, bid, ctx.cadres[member].code, "负责专项推进")
        if confirm:
            await service.answer_invitation(db, clock, ctx.actors[member], invited.id, True)
    if submit:
        bid = await service.get_own_bid(db, actor, bid.id)
        await service.submit(db, clock, actor, bid, bid.revision)
    return bid


async def _reopened(ctx: DemoContext, story: str) -> tuple[Challenge, datetime | None]:
    """Open a closed story's window for a moment (returns its real closing time)."""
    challenge = await ctx.session.get(Challenge, ctx.challenges[story])
    assert challenge is not None
    closes = challenge.bid_closes_at
    challenge.bid_closes_at = ctx.clock.now() + timedelta(hours=1)
    await ctx.session.flush()
    return challenge, closes


@demo_step
async def bids(ctx: DemoContext) -> None:
    db, clock = ctx.session, ctx.clock
    # Open challenges: a submitted bid with a confirmed team, a draft waiting for a member, a withdrawal.
    await _bid(ctx, "gov", "cadre4", team=(("cadre14", True),))
    await _bid(ctx, "gov", "cadre7", submit=False, team=(("cadre12", False),))
    withdrawn = await _bid(ctx, "petition", "cadre13")
    withdrawn = await service.get_own_bid(db, ctx.actors["cadre13"], withdrawn.id)
    await service.withdraw(db, clock, ctx.actors["cadre13"], withdrawn, "单位近期承担专项巡察任务，难以兼顾")
    await _bid(ctx, "village", "cadre15", submit=False)

    # Closed: qualification under way — one qualified, one disqualified, one vetoed.
    business, closes = await _reopened(ctx, "business")
    qualified = await _bid(ctx, "business", "cadre2")
    refused = await _bid(ctx, "business", "cadre10")
    vetoed = await _bid(ctx, "business", "cadre11")
    waiting = [await _bid(ctx, "business", "cadre6"),  # these two wait for the organizer and the inspector
               await _bid(ctx, "business", "cadre14")]
    business.bid_closes_at = closes
    if closes is not None:  # the qualification page judges each bid as at its submission: inside the window
        for n, bid in enumerate((qualified, refused, vetoed, *waiting)):
            bid.submitted_at = closes - timedelta(days=2) + timedelta(hours=5 * n)
    await db.flush()
    organizer, inspector = ctx.actors["organizer"], ctx.actors["inspector"]
    business = await organizer_challenge(db, organizer, business.id)
    await qualification.start(db, clock, organizer, business)
    await qualification.vet(db, clock, inspector, business, vetoed.id, True,
                            "群众举报反映其在项目审批中存在不当干预，正在核查")
    await qualification.vet(db, clock, inspector, business, qualified.id, False, "")
    await qualification.decide(db, clock, organizer, business, qualified.id, True, "")
    await qualification.decide(db, clock, organizer, business, refused.id, False,
                               "实施方案未覆盖“工程建设审批”领域，节点任务与榜单要求不符")

    # Closed long ago: the only bid was disqualified, so the listing failed (流榜).
    transit, closes = await _reopened(ctx, "transit")
    lone = await _bid(ctx, "transit", "cadre9")
    transit.bid_closes_at = closes
    await db.flush()
    organizer2 = ctx.actors["organizer2"]
    transit = await organizer_challenge(db, organizer2, transit.id)
    await qualification.start(db, clock, organizer2, transit)
    await qualification.decide(db, clock, organizer2, transit, lone.id, False,
                               "揭榜人所在单位与项目实施地不一致，且未提供协调机制")
    await qualification.finish(db, clock, organizer2, transit)
