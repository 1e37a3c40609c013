"""The public follows a challenge to the end (issue 21): the stage stepper on its page and, after
the award, who leads with whom, the signed commitment's hash, milestones with their verdict,
the horse race's checkpoints and eliminations, the acceptance grade with the report's hash; the
results page names the final status. Nothing confidential, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from arena.challenges.models import Checkpoint
from arena.execution import award
from arena.execution.models import Milestone, ProgressReport, Project
from arena.publicity import service as publicity
from arena.review import service as review
from arena.review.models import Panel, PanelPurpose, ReviewResult
from arena.units.models import Cadre, Expert, Unit
from tests.conftest import as_user, fresh, make_client
from tests.execution.factories import actor, awarded, publicized, score_panel
from tests.review.factories import LEADS, MEMBER

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PLANTED = ("PLANTED-EVIDENCE-4410", "PLANTED-REPORT-9902", "PLANTED-COMMENT-5512", "PLANTED-EXPERT-")
BEIJING = ZoneInfo("Asia/Shanghai")


def current_step(page: str) -> str:
    found = re.search(r'<li class="step step-current" aria-current="step">(.*?)</li>', page, re.S)
    assert found, "no current step"
    return found.group(1)


def step(page: str, label: str) -> str:
    found = re.search(r'<li class="step step-\w+"[^>]*>((?:(?!</li>).)*?<span class="step-label">'
                      + label + r"</span>.*?)</li>", page, re.S)
    assert found, label
    return found.group(1)


def assert_nothing_confidential(page: str) -> None:
    for secret in PLANTED:
        assert secret not in page, secret


async def report_and_assess(app, db, project_id: int, lead: str, score: str, verdict: str = "on_track") -> None:
    milestone = await db.scalar(select(Milestone).where(Milestone.project_id == project_id)
                                .order_by(Milestone.position))
    cadre = await as_user(app, lead)
    sent = await cadre.post(f"/projects/{project_id}/milestones/{milestone.id}/reports",
                            {"text": "PLANTED-REPORT-9902 按期推进。", "percent": "60"},
                            files={"evidence": ("PLANTED-EVIDENCE-4410.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303
    await fresh(db)
    report = await db.scalar(select(ProgressReport).where(ProgressReport.project_id == project_id))
    org = await as_user(app, "org")
    assert (await org.post(f"/assess/reports/{report.id}", {
        "verdict": verdict, "score": score, "comment": "PLANTED-COMMENT-5512"})).status_code == 303
    await fresh(db)


async def test_the_public_follows_a_horse_race_to_its_grade(app, db, clock, query_counter):
    story = await awarded(db, clock, horse_race=True)
    cid, (first, second) = story.challenge_id, story.project_ids
    awarded_on = (await db.get(Project, first)).awarded_at.astimezone(BEIJING).strftime("%Y-%m-%d")
    await db.execute(update(Expert).values(name="PLANTED-EXPERT-" + Expert.code))  # every panel's experts
    await db.commit()
    await report_and_assess(app, db, first, "lead1", "88")
    await report_and_assess(app, db, second, "lead2", "70", verdict="at_risk")
    visitor = make_client(app)

    page = (await visitor.get(f"/challenges/{cid}")).text

    assert "实施" in current_step(page)
    assert awarded_on in step(page, "挂帅") and "✓" in step(page, "结果公示")
    for project_id, lead in ((first, LEADS[0]), (second, LEADS[1])):
        project = await db.get(Project, project_id)
        unit = await db.scalar(select(Unit.name).join(Cadre, Cadre.unit_id == Unit.id)
                               .where(Cadre.id == project.lead_id))
        assert f"挂帅人：{lead}" in page and unit in page and project.commitment_sha256 in page
    assert MEMBER in page  # the first bid's confirmed team member
    assert "完成调研" in page and "2027-03-01" in page
    assert "正常推进" in page and "存在风险" in page  # the verdicts' labels
    assert "赛马节点比选" in page and "待比选" in page
    assert_nothing_confidential(page)

    # the same number of queries with more milestones (and reports) on each project, when the
    # page is built (the anonymous visitor's kept copy is dropped first: arena.web.public_cache)
    app.state.public_cache.entries.clear()
    with query_counter() as before:
        assert (await visitor.get(f"/challenges/{cid}")).status_code == 200
    for project_id in (first, second):
        db.add_all([Milestone(project_id=project_id, position=n, title=f"追加节点{n}",
                              due_on=date(2027, 4, n)) for n in (2, 3, 4)])
    await db.commit()
    with query_counter() as after:
        page = (await visitor.get(f"/challenges/{cid}")).text
    assert "追加节点4" in page and after.count == before.count

    # the checkpoint eliminates the last; the page says who, at once (read on every request)
    checkpoint = await db.scalar(select(Checkpoint).where(Checkpoint.challenge_id == cid))
    org = await as_user(app, "org")
    assert (await org.post(f"/organizer/challenges/{cid}/execution/checkpoints/{checkpoint.id}",
                           {"choice": str(second)})).status_code == 303
    page = (await visitor.get(f"/challenges/{cid}")).text
    assert f"{LEADS[1]} 团队排名末位，予以淘汰" in page and "已淘汰" in page and "比选淘汰" in page
    assert "88.00" in page and "70.00" in page  # the ranking decided on: each team's mean
    assert_nothing_confidential(page)

    # acceptance grades the remaining team; the page shows the grade and the frozen report's hash
    await fresh(db)
    await score_panel(db, clock, cid, {(await db.get(Project, first)).bid_id: ("55", "37")},
                      PanelPurpose.ACCEPTANCE)
    sha = await db.scalar(select(ReviewResult.sha256).join(Panel, Panel.id == ReviewResult.panel_id)
                          .where(Panel.challenge_id == cid, Panel.purpose == PanelPurpose.ACCEPTANCE.value))
    page = (await visitor.get(f"/challenges/{cid}")).text
    assert "结果运用" in current_step(page) and "✓" in step(page, "验收")
    assert "验收等次：优秀" in page and "综合得分 92.00" in page
    assert f'id="acceptance-hash">{sha}<' in page
    assert_nothing_confidential(page)

    results = (await visitor.get(f"/results/{cid}")).text
    assert "拟挂帅人选" not in results and "拟入选" not in results
    assert ">挂帅人<" in results and "已确定挂帅" in results and "已验收" in results and "已淘汰" in results
    assert_nothing_confidential(results)
    await visitor.aclose()


async def test_before_the_award_and_before_signing_nothing_is_promised(app, db, clock):
    story = await publicized(db, clock)
    cid = story.challenge_id
    visitor = make_client(app)
    page = (await visitor.get(f"/challenges/{cid}")).text
    assert "结果公示" in current_step(page) and 'id="sec-follow"' not in page
    assert "拟挂帅人选" in (await visitor.get(f"/results/{cid}")).text

    current = await publicity.current_publicity(db, cid)
    clock.advance(current.ends_at - clock.now() + timedelta(hours=1))
    org = await actor(db, "org")
    [project] = await award.award(db, clock, org, await review.organizer_challenge(db, org, cid))
    sha = project.commitment_sha256
    await db.commit()

    page = (await visitor.get(f"/challenges/{cid}")).text
    assert "挂帅" in current_step(page) and f"挂帅人：{LEADS[0]}" in page
    assert "待挂帅人签署" in page and sha not in page  # the hash only once signed
    results = (await visitor.get(f"/results/{cid}")).text
    assert ">挂帅人<" in results and "待签署军令状" in results

    lead = await as_user(app, "lead1")
    assert (await lead.post(f"/projects/{project.id}/sign", {"password": "arena-demo"})).status_code == 303
    page = (await visitor.get(f"/challenges/{cid}")).text
    assert sha in page and "实施" in current_step(page)
    await visitor.aclose()
