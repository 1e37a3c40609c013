"""Execution through the pages: signing the commitment, progress reports and assessments, plan
changes, fault tolerance, the horse race's checkpoint and acceptance with its grades."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.challenges.models import Challenge, Checkpoint, ToleranceCase
from arena.execution import considerations
from arena.execution.models import (
    Assessment,
    Milestone,
    PlanChange,
    ProgressReport,
    Project,
    ToleranceRequest,
)
from arena.review.models import Panel, PanelPurpose
from tests.conftest import as_user, fresh, make_client
from tests.execution.factories import awarded, score_panel
from tests.review.factories import LEADS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


async def test_only_the_lead_signs_and_a_wrong_password_signs_nothing(app, db, clock):
    story = await awarded(db, clock, sign=False)
    pid = story.project_ids[0]
    member = await as_user(app, "member")  # on the winning team, not its lead
    page = await member.get(f"/projects/{pid}")
    assert page.status_code == 200 and 'name="password"' not in page.text and "等待挂帅人签署" in page.text
    assert (await member.post(f"/projects/{pid}/sign", {"password": "arena-demo"})).status_code == 403
    lead = await as_user(app, "lead1")
    assert 'name="password"' in (await lead.get(f"/projects/{pid}")).text
    wrong = await lead.post(f"/projects/{pid}/sign", {"password": "nope"})
    assert wrong.status_code == 400 and "密码不正确" in wrong.text
    await fresh(db)
    assert (await db.get(Project, pid)).signed_at is None
    stranger = await as_user(app, "lead3")
    assert (await stranger.get(f"/projects/{pid}")).status_code == 404
    assert (await lead.post(f"/projects/{pid}/sign", {"password": "arena-demo"})).status_code == 303
    await fresh(db)
    project = await db.get(Project, pid)
    assert project.status == "active" and project.signed_at == clock.now()
    assert hashlib.sha256(project.commitment_content.encode()).hexdigest() == project.commitment_sha256
    letter = json.loads(project.commitment_content)
    assert letter["lead"]["name"] == LEADS[0] and letter["milestones"][0]["title"] == "完成调研"
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "project.sign"))
    assert project.commitment_sha256 in event.summary
    pdf = await lead.get(f"/projects/{pid}/commitment.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (await lead.post(f"/projects/{pid}/sign", {"password": "arena-demo"})).status_code == 400  # once


async def test_reports_are_the_leads_and_assessments_move_the_milestone(app, db, clock):
    story = await awarded(db, clock)
    pid = story.project_ids[0]
    milestone = await db.scalar(select(Milestone).where(Milestone.project_id == pid))
    mid = milestone.id
    url = f"/projects/{pid}/milestones/{mid}/reports"
    member = await as_user(app, "member")
    assert (await member.post(url, {"text": "进展", "percent": "10"})).status_code == 403
    lead = await as_user(app, "lead1")
    bad = await lead.post(url, {"text": "", "percent": "120", "kpi_values": "覆盖 3 个村"})
    assert bad.status_code == 400 and "请填写进展情况" in bad.text and "0–100" in bad.text and "覆盖 3 个村" in bad.text
    assert await db.scalar(select(func.count()).select_from(ProgressReport)) == 0
    sent = await lead.post(url, {"text": "完成 12 个村的入户调研。", "percent": "40", "kpi_values": "覆盖 12/30 个村"},
                           files={"evidence": ("调研照片.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303
    again = await lead.post(url, {"text": "又有进展", "percent": "50"})
    assert again.status_code == 400 and "尚未考核" in again.text
    await fresh(db)
    report = await db.scalar(select(ProgressReport))
    org = await as_user(app, "org")
    queue = await org.get("/assess")
    assert f"/assess/reports/{report.id}" in queue.text
    form = await org.get(f"/assess/reports/{report.id}")
    assert "完成 12 个村" in form.text and "调研照片.pdf" in form.text
    refused = await org.post(f"/assess/reports/{report.id}", {"verdict": "maybe", "score": "101", "comment": "x"})
    assert refused.status_code == 400 and "请选择考核结论" in refused.text and "0–100" in refused.text
    assert (await org.post(f"/assess/reports/{report.id}",
                           {"verdict": "at_risk", "score": "72.5", "comment": "进度偏慢"})).status_code == 303
    await fresh(db)
    assert (await db.get(Milestone, mid)).status == "at_risk"
    assert (await db.scalar(select(Assessment))).score == Decimal("72.5")
    # an expert assigned by the organizer may assess the next report; another expert may not
    assert (await org.post(f"/organizer/challenges/{story.challenge_id}/execution/assessors",
                           {"expert": "nobody"})).status_code == 400
    from arena.units.models import Expert
    expert1 = await db.scalar(select(Expert).where(Expert.name == "专家1"))
    assert (await org.post(f"/organizer/challenges/{story.challenge_id}/execution/assessors",
                           {"expert": expert1.code})).status_code == 303
    assert (await lead.post(url, {"text": "全部完成。", "percent": "100"})).status_code == 303
    await fresh(db)
    second = await db.scalar(select(ProgressReport).where(ProgressReport.seq == 2))
    outsider = await as_user(app, "expert2")
    assert (await outsider.get(f"/assess/reports/{second.id}")).status_code == 404
    evidence = (await db.scalar(select(ProgressReport).where(ProgressReport.seq == 1)))
    assert (await outsider.get(f"/projects/{pid}/reports/{evidence.id}/evidence/1")).status_code == 404
    assessor = await as_user(app, "expert1")
    assert f"/assess/reports/{second.id}" in (await assessor.get("/assess")).text
    assert (await assessor.post(f"/assess/reports/{second.id}",
                                {"verdict": "completed", "score": "90", "comment": ""})).status_code == 303
    await fresh(db)
    assert (await db.get(Milestone, mid)).status == "completed"
    assert (await lead.post(url, {"text": "补充", "percent": "100"})).status_code == 400  # completed: closed


async def test_a_plan_change_needs_the_organizers_approval(app, db, clock):
    story = await awarded(db, clock)
    pid = story.project_ids[0]
    milestone = await db.scalar(select(Milestone).where(Milestone.project_id == pid))
    lead = await as_user(app, "lead1")
    rows = {"row-1-id": str(milestone.id), "row-1-title": milestone.title, "row-1-due_on": "2027-05-01",
            "row-1-deliverable": milestone.deliverable, "row-1-kpi": milestone.kpi,
            "row-2-title": "新增：推广应用", "row-2-due_on": "not a date", "row-2-deliverable": "", "row-2-kpi": ""}
    bad = await lead.post(f"/projects/{pid}/plan-changes", rows | {"reason": ""})
    assert bad.status_code == 400 and "请说明变更的理由" in bad.text and "有效的完成日期" in bad.text
    rows["row-2-due_on"] = "2027-08-01"
    assert (await lead.post(f"/projects/{pid}/plan-changes", rows | {"reason": "上级部署调整"})).status_code == 303
    mid = milestone.id
    await fresh(db)
    assert (await db.get(Milestone, mid)).due_on.isoformat() == "2027-03-01"  # unchanged until approved
    change_id = (await db.scalar(select(PlanChange))).id
    org = await as_user(app, "org")
    url = f"/organizer/challenges/{story.challenge_id}/execution/changes/{change_id}"
    assert (await org.post(url, {"decision": "approve", "reason": ""})).status_code == 400
    assert (await org.post(url, {"decision": "approve", "reason": "同意"})).status_code == 303
    await fresh(db)
    milestones = (await db.scalars(select(Milestone).where(Milestone.project_id == pid)
                                   .order_by(Milestone.position))).all()
    assert [m.due_on.isoformat() for m in milestones] == ["2027-05-01", "2027-08-01"]
    assert (await db.get(PlanChange, change_id)).status == "approved"


async def test_fault_tolerance_goes_through_the_inspector_to_the_organizer(app, db, clock):
    story = await awarded(db, clock)
    pid = story.project_ids[0]
    db.add(ToleranceCase(challenge_id=story.challenge_id, position=1, description="因上级政策调整导致目标无法实现"))
    milestone = await db.scalar(select(Milestone).where(Milestone.project_id == pid))
    await db.commit()
    lead = await as_user(app, "lead1")
    case = await db.scalar(select(ToleranceCase))
    mid, case_id = milestone.id, case.id
    early = await lead.post(f"/projects/{pid}/tolerance", {"milestone": str(mid), "case": str(case_id),
                                                           "explanation": "政策调整"})
    assert early.status_code == 400 and "未完成" in early.text
    assert (await lead.post(f"/projects/{pid}/milestones/{mid}/reports",
                            {"text": "受政策调整影响停滞。", "percent": "20"})).status_code == 303
    await fresh(db)
    report = await db.scalar(select(ProgressReport))
    org = await as_user(app, "org")
    assert (await org.post(f"/assess/reports/{report.id}", {"verdict": "failed", "score": "40"})).status_code == 303
    assert (await lead.post(f"/projects/{pid}/tolerance", {"milestone": str(mid), "case": str(case_id),
                                                           "explanation": "省里调整了试点范围。"},
                            files={"evidence": ("通知.pdf", PDF, "application/pdf")})).status_code == 303
    await fresh(db)
    request_id = (await db.scalar(select(ToleranceRequest))).id
    from arena.auth.models import Role
    from tests.factories import make_user
    await make_user(db, "inspector", Role.INSPECTOR)
    await db.commit()
    inspector = await as_user(app, "inspector")
    assert "省里调整了试点范围" in (await inspector.get(f"/inspector/tolerance/{request_id}")).text
    decide = f"/organizer/challenges/{story.challenge_id}/execution/tolerance/{request_id}"
    assert (await org.post(decide, {"decision": "grant", "reason": "符合情形"})).status_code == 400  # opinion first
    assert (await org.post(f"/inspector/tolerance/{request_id}", {"opinion": "x"})).status_code == 403
    assert (await inspector.post(f"/inspector/tolerance/{request_id}", {"opinion": ""})).status_code == 400
    assert (await inspector.post(f"/inspector/tolerance/{request_id}",
                                 considerations.filled(text="经核查，情况属实，未发现谋取私利。"))).status_code == 303
    assert (await org.post(decide, {"decision": "grant", "reason": "符合第一项容错情形。"})).status_code == 303
    await fresh(db)
    assert (await db.get(ToleranceRequest, request_id)).status == "granted"
    assert (await db.get(Milestone, mid)).status == "excused"


async def test_horse_race_checkpoint_eliminates_the_last_and_acceptance_grades_the_winner(app, db, clock):
    story = await awarded(db, clock, horse_race=True)
    assert len(story.project_ids) == 2
    first, second = story.project_ids
    cid = story.challenge_id
    org = await as_user(app, "org")
    for project_id, lead_name, score in ((first, "lead1", "88"), (second, "lead2", "70")):
        milestone = await db.scalar(select(Milestone).where(Milestone.project_id == project_id))
        lead = await as_user(app, lead_name)
        assert (await lead.post(f"/projects/{project_id}/milestones/{milestone.id}/reports",
                                {"text": "按期推进。", "percent": "60"})).status_code == 303
        await fresh(db)
        report = await db.scalar(select(ProgressReport).where(ProgressReport.project_id == project_id))
        assert (await org.post(f"/assess/reports/{report.id}", {"verdict": "on_track", "score": score})).status_code \
            == 303
    await fresh(db)
    checkpoint_id = (await db.scalar(select(Checkpoint).where(Checkpoint.challenge_id == cid))).id
    page = await org.get(f"/organizer/challenges/{cid}/execution")
    assert "88.00" in page.text and "70.00" in page.text
    url = f"/organizer/challenges/{cid}/execution/checkpoints/{checkpoint_id}"
    not_last = await org.post(url, {"choice": str(first)})
    assert not_last.status_code == 400 and "只能淘汰排名最后的团队" in not_last.text
    no_reason = await org.post(url, {"choice": "keep", "keep_reason": ""})
    assert no_reason.status_code == 400 and "须写明理由" in no_reason.text
    blocked = await org.post(f"/organizer/challenges/{cid}/acceptance/commit", {"size": "3", "reserves": "1"})
    assert blocked.status_code == 400 and "赛马节点尚未全部比选" in blocked.text
    assert (await org.post(url, {"choice": str(second)})).status_code == 303
    await fresh(db)
    assert (await db.get(Project, second)).status == "eliminated"
    decided = await db.get(Checkpoint, checkpoint_id)
    assert decided.status == "decided" and json.loads(decided.ranking)["teams"][0]["mean"] == "88.00"
    # acceptance: the remaining project is scored on the acceptance rubric and graded
    challenge = await db.get(Challenge, cid)
    bid_of_first = (await db.get(Project, first)).bid_id
    await score_panel(db, clock, cid, {bid_of_first: ("55", "37")}, PanelPurpose.ACCEPTANCE)
    await fresh(db)
    project = await db.get(Project, first)
    assert (project.status, project.grade, project.acceptance_score) == ("concluded", "excellent", Decimal("92.00"))
    challenge = await db.get(Challenge, cid)
    assert challenge.status == "accepted"
    assert (await db.get(Project, second)).status == "eliminated"
    page = await org.get(f"/organizer/challenges/{cid}/acceptance")
    assert page.status_code == 200 and "优秀" in page.text
    report_pdf = await org.get(f"/organizer/challenges/{cid}/acceptance/summary.pdf")
    assert report_pdf.status_code == 200 and report_pdf.content.startswith(b"%PDF")
    assert "%E9%AA%8C%E6%94%B6%E6%8A%A5%E5%91%8A" in report_pdf.headers["content-disposition"]  # 验收报告
    panel = await db.scalar(select(Panel).where(Panel.challenge_id == cid, Panel.purpose == "acceptance"))
    assert panel.status == "closed"
    verify = await make_client(app).get(f"/challenges/{cid}/acceptance-draw")
    assert verify.status_code == 200 and 'id="draw-verified"' in verify.text
    lead = await as_user(app, "lead1")
    assert "优秀" in (await lead.get(f"/projects/{first}")).text
    # Both frozen results recompute to their hashes from the stored sheets.
    from arena.review import results as review_results
    await fresh(db)
    assert (await review_results.verify_results(db, cid)).ok
    assert (await review_results.verify_results(db, cid, PanelPurpose.ACCEPTANCE)).ok
