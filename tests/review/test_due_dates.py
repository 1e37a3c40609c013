"""Review due dates through the pages: the organizer sets and changes the due date, experts see
the countdown, `arena worker` reminds late experts once each even with two workers, the
organizer and the chair chase (throttled), and after the due date the organizer replaces a late
expert with the next reserve — whose pages never show the replaced expert's draft — down to the
supplementary draw when the reserves run out. Closing with missing sheets still needs a reason."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.notify.models import Notification
from arena.review.models import Panel, ScoreSheet
from arena.units.models import Expert
from arena.worker import run_pass
from tests.conftest import as_user, fresh
from tests.review.factories import make_review
from tests.review.test_review_flow import commitment_form, criteria, enter_beacon, seats

PLANTED = "PLANTED-DRAFT-7781"


async def _kinds(db, kind):
    await fresh(db)
    return (await db.scalars(select(Notification.recipient_id).where(Notification.kind == kind)
                             .order_by(Notification.recipient_id))).all()


async def _two_workers(app, clock):
    results = await asyncio.gather(run_pass(app.state.session_maker, clock, None),
                                   run_pass(app.state.session_maker, clock, None))
    return sum(r[0] for r in results)


async def test_due_date_countdown_reminders_chase_and_replacement(app, db, clock):
    review = await make_review(db, experts=6, same_unit_expert=False)
    cid = review.challenge_id
    base = f"/organizer/challenges/{cid}/review"
    by_expert = {v: k for k, v in review.experts.items()}
    users = {eid: await db.scalar(select(Expert.user_id).where(Expert.id == eid)) for eid in review.experts.values()}
    await fresh(db)
    org = await as_user(app, "org")
    today = clock.today()  # 2026-11-24
    past = await org.post(f"{base}/commit", commitment_form(app, due_on=(today - timedelta(days=1)).isoformat()))
    assert past.status_code == 400 and "不能早于今天" in past.text
    due = today + timedelta(days=5)
    assert (await org.post(f"{base}/commit", commitment_form(app, due_on=due.isoformat()))).status_code == 303
    await fresh(db)
    assert (await enter_beacon(app, db, cid)).status_code == 303  # now 11-25: four days left
    await fresh(db)
    pid = (await db.scalar(select(Panel).where(Panel.challenge_id == cid))).id
    rows = await seats(db, pid)
    a, b, c, r1, _r2 = rows
    browsers = {}
    for seat in (a, b, c):
        browsers[seat.id] = await as_user(app, by_expert[seat.expert_id])
        assert (await browsers[seat.id].post(f"/review/seats/{seat.id}", {"answer": "accept"})).status_code == 303
    home = await browsers[b.id].get("/review")
    assert "还剩 4 天" in home.text and due.isoformat() in home.text
    await fresh(db)
    b_sheets = (await db.scalars(select(ScoreSheet.id).where(ScoreSheet.expert_id == b.expert_id)
                                 .order_by(ScoreSheet.id))).all()
    assert "还剩 4 天" in (await browsers[b.id].get(f"/review/sheets/{b_sheets[0]}")).text

    # Changing the date needs a reason; the change is audited and seated experts are told.
    org = await as_user(app, "org")
    due = today + timedelta(days=4)  # 11-28: three days left
    no_reason = await org.post(f"{base}/due", {"due_on": due.isoformat(), "due_reason": ""})
    assert no_reason.status_code == 400 and "更改评审截止日期须说明理由" in no_reason.text
    assert (await org.post(f"{base}/due", {"due_on": due.isoformat(), "due_reason": "专家请求"})).status_code == 303
    assert "还剩 3 天" in (await browsers[b.id].get("/review")).text
    assert len(await _kinds(db, "review.due_changed")) == 3

    # Expert A finishes everything: only B and C are reminded, once each, with two workers at once.
    crit = [x.id for x in await criteria(db, cid)]
    for sheet in (await db.scalars(select(ScoreSheet).where(ScoreSheet.expert_id == a.expert_id))).all():
        data = {f"c-{x}": v for x, v in zip(crit, ("25", "20", "20", "15"), strict=True)}
        posted = await browsers[a.id].post(f"/review/sheets/{sheet.id}",
                                           data | {"revision": str(sheet.revision), "action": "submit"})
        assert posted.status_code == 303, posted.text
    late = sorted([users[b.expert_id], users[c.expert_id]])
    assert await _two_workers(app, clock) == 2
    assert await _two_workers(app, clock) == 0
    assert await _kinds(db, "review.due_in_3_days") == late

    # B keeps a draft with a distinctive comment.
    await fresh(db)
    sheet = await db.get(ScoreSheet, b_sheets[0])
    saved = await browsers[b.id].post(f"/review/sheets/{sheet.id}", {
        f"c-{crit[0]}": "11", "comment": PLANTED, "revision": str(sheet.revision), "action": "save"})
    assert saved.status_code == 303, saved.text

    # Chase: the organizer, then the throttle refuses a second within a day, whoever sends it.
    assert (await org.post(f"{base}/chase/{b.id}")).status_code == 303
    again = await org.post(f"{base}/chase/{b.id}")
    assert again.status_code == 400 and "24 小时内只能催评一次" in again.text
    assert (await org.post(f"{base}/chase/{a.id}")).status_code == 400  # A owes nothing
    assert (await org.post(f"{base}/chair", {"seat": str(a.id)})).status_code == 303
    chair = browsers[a.id]
    chair_page = await chair.get(f"/review/panels/{pid}")
    assert "组长：催评" in chair_page.text
    refused = await chair.post(f"/review/panels/{pid}/chase/{b.id}")
    assert refused.status_code == 400 and "24 小时内只能催评一次" in refused.text
    assert (await chair.post(f"/review/panels/{pid}/chase/{c.id}")).status_code == 303
    assert (await browsers[c.id].post(f"/review/panels/{pid}/chase/{b.id}")).status_code == 403  # not the chair
    assert await _kinds(db, "review.chase") == late
    chases = (await db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "panel.chase"))).all()
    assert len(chases) == 2 and all(set(json.loads(s)) == {"panel", "seat", "expert"} for s in chases)

    # Replacing waits for the due date to pass.
    early = await org.post(f"{base}/replace/{b.id}", {"reason": "逾期"})
    assert early.status_code == 400 and "过后才能替换" in early.text
    clock.advance(timedelta(days=4))  # 11-29, the day after the due date
    assert await _two_workers(app, clock) == 2  # the day-before reminders were missed; late ones go once
    assert await _kinds(db, "review.overdue") == late
    org = await as_user(app, "org")
    page = await org.get(base)
    assert "已逾期 1 天" in page.text and "替换为后备专家" in page.text
    assert (await org.post(f"{base}/replace/{b.id}", {"reason": ""})).status_code == 400
    assert (await org.post(f"{base}/replace/{a.id}", {"reason": "x"})).status_code == 400  # A is done
    assert (await org.post(f"{base}/replace/{b.id}", {"reason": "逾期未评"})).status_code == 303
    rows = await seats(db, pid)
    assert [s.status for s in rows] == ["accepted", "replaced", "accepted", "invited", "reserve"]
    assert {s.status for s in (await db.scalars(select(ScoreSheet).where(
        ScoreSheet.expert_id == b.expert_id))).all()} == {"void"}
    assert users[r1.expert_id] in await _kinds(db, "review.invited")

    # The replacement accepts and opens every page they can: the draft is nowhere.
    replacement = await as_user(app, by_expert[r1.expert_id])
    assert (await replacement.post(f"/review/seats/{r1.id}", {"answer": "accept"})).status_code == 303
    await fresh(db)
    own = (await db.scalars(select(ScoreSheet.id).where(ScoreSheet.expert_id == r1.expert_id))).all()
    assert len(own) == 3
    pages = ["/review", f"/review/panels/{pid}", *[f"/review/sheets/{i}" for i in own]]
    for url in pages:
        shown = await replacement.get(url)
        assert shown.status_code == 200 and PLANTED not in shown.text, url
    replaced = await as_user(app, by_expert[b.expert_id])  # days later: logged in again
    for i in b_sheets:
        assert (await replacement.get(f"/review/sheets/{i}")).status_code == 404
        assert (await replaced.get(f"/review/sheets/{i}")).status_code == 404  # void: gone for B too
    assert (await replaced.get(f"/review/panels/{pid}")).status_code == 404
    assert "已替换" in (await replaced.get("/review")).text

    # C replaced by the last reserve; then the first replacement (still nothing submitted) too:
    # no reserve is left and the page leads to the supplementary draw.
    assert (await org.post(f"{base}/replace/{c.id}", {"reason": "逾期未评"})).status_code == 303
    last = await org.post(f"{base}/replace/{r1.id}", {"reason": "逾期未评"})
    assert last.status_code == 303 and "replaced_no_reserve" in last.headers["location"]
    page = await org.get(last.headers["location"])
    assert "后备专家已用尽" in page.text and "公布补充抽取承诺" in page.text
    await fresh(db)
    actions = (await db.scalars(select(AuditEvent.action).where(AuditEvent.action.in_(
        ["seat.replace", "panel.due"])))).all()
    assert sorted(actions) == ["panel.due", "panel.due", "seat.replace", "seat.replace", "seat.replace"]

    # Closing after the due date with sheets missing still needs a reason.
    no_reason = await org.post(f"{base}/close", {"reason": ""})
    assert no_reason.status_code == 400 and "须说明理由" in no_reason.text
    assert (await org.post(f"{base}/close", {"reason": "逾期专家已替换，按已提交评分表结束"})).status_code == 303
    await fresh(db)
    assert (await db.get(Panel, pid)).status == "closed"
    assert await db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "panel.close")) == 1
