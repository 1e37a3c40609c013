"""Who may see and do what, from publicity to acceptance: one matrix of pages by role and one of
actions by role (allowed, refused as forbidden, or answered as if the thing did not exist)."""

from __future__ import annotations

from sqlalchemy import func, select

from arena.auth.models import Role
from arena.execution import reports
from arena.execution.award import readable_project
from arena.execution.models import ChallengeAssessor, Milestone, ProgressReport, Project
from arena.publicity.models import Objection, Publicity
from arena.units.models import Expert
from tests.conftest import Browser, make_client
from tests.execution.factories import actor, awarded, publicized
from tests.factories import make_user

ROLES = ("anonymous", "org", "org2", "lead1", "member", "lead2", "expert1", "expert2", "inspector", "admin")


async def browsers(app, db) -> dict[str, Browser]:
    await make_user(db, "org2", Role.ORGANIZER, name="另一发榜单位")
    await make_user(db, "inspector", Role.INSPECTOR, name="纪检")
    await make_user(db, "admin", Role.ADMIN, name="管理员")
    await db.commit()
    found = {}
    for role in ROLES:
        browser = Browser(make_client(app))
        if role != "anonymous":
            await browser.login(role)
        found[role] = browser
    return found


def expect(allowed: set[str], denied: int, **others: int) -> dict[str, int]:
    """Status per role: 200 for `allowed`, the login redirect for visitors, `denied` for the rest."""
    return {role: 200 if role in allowed else 303 if role == "anonymous" else others.get(role, denied) for role in ROLES}


async def mismatches(by: dict[str, Browser], matrix: dict[str, dict[str, int]]) -> list[str]:
    """Each GET of the matrix whose status is not the one expected for the role."""
    wrong = []
    for path, statuses in matrix.items():
        for role, status in statuses.items():
            got = (await by[role].get(path)).status_code
            if got != status:
                wrong.append(f"{role} GET {path}: {got}, expected {status}")
    return wrong


async def test_pages_by_role(app, db, clock):
    story = await awarded(db, clock)
    cid, pid = story.challenge_id, story.project_ids[0]
    milestone = await db.scalar(select(Milestone).where(Milestone.project_id == pid))
    lead = await actor(db, "lead1")
    view = await readable_project(db, lead, pid, clock.now().date())
    report = await reports.submit_report(db, clock, lead, view, milestone.id, reports.ReportDraft("进展", "30", ""), [])
    expert1 = await db.scalar(select(Expert).where(Expert.name == "专家1"))
    db.add(ChallengeAssessor(challenge_id=cid, expert_id=expert1.id, assigned_by_id=(await actor(db, "org")).user_id,
                             assigned_at=clock.now()))
    await db.commit()
    rid = report.id
    by = await browsers(app, db)
    organizer_only = expect({"org"}, 403, org2=404)
    project_readers = expect({"org", "lead1", "member", "inspector"}, 404)
    matrix = {
        f"/results/{cid}": {role: 200 for role in ROLES},
        f"/results/{cid}/notice.pdf": {role: 200 for role in ROLES},
        "/objections": expect(set(ROLES) - {"anonymous"}, 200),
        f"/organizer/challenges/{cid}/publicity": organizer_only,
        f"/organizer/challenges/{cid}/execution": organizer_only,
        f"/organizer/challenges/{cid}/acceptance": organizer_only,
        "/organizer/board": expect({"org", "org2"}, 403),
        "/projects": expect({"lead1", "member", "lead2"}, 403),  # cadres
        f"/projects/{pid}": project_readers,
        f"/projects/{pid}/commitment.pdf": project_readers,
        "/assess": expect({"org", "org2", "expert1", "expert2"}, 403),
        f"/assess/reports/{rid}": expect({"org", "expert1"}, 403, org2=404, expert2=404),
        "/inspector/tolerance": expect({"inspector"}, 403),
    }
    wrong = await mismatches(by, matrix)
    assert not wrong, "\n".join(wrong)
    # the board lists only the organizer's own projects
    assert f"/projects/{pid}" in (await by["org"].get("/organizer/board")).text
    assert f"/projects/{pid}" not in (await by["org2"].get("/organizer/board")).text


async def test_actions_by_role_change_nothing_when_refused(app, db, clock):
    story = await awarded(db, clock, sign=False)
    cid, pid = story.challenge_id, story.project_ids[0]
    mid = (await db.scalar(select(Milestone).where(Milestone.project_id == pid))).id
    by = await browsers(app, db)
    for role, status in (("member", 403), ("org", 403), ("lead2", 404), ("inspector", 403), ("expert1", 404),
                         ("anonymous", 303)):
        response = await by[role].post(f"/projects/{pid}/sign", {"password": "arena-demo"})
        assert response.status_code == status, (role, response.status_code)
    await db.rollback()
    assert (await db.get(Project, pid)).signed_at is None
    assert (await by["lead1"].post(f"/projects/{pid}/sign", {"password": "arena-demo"})).status_code == 303
    for role, status in (("member", 403), ("org", 403), ("lead2", 404), ("anonymous", 303)):
        response = await by[role].post(f"/projects/{pid}/milestones/{mid}/reports", {"text": "x", "percent": "1"})
        assert response.status_code == status, (role, response.status_code)
    await db.rollback()
    assert await db.scalar(select(func.count()).select_from(ProgressReport)) == 0
    assert (await by["lead1"].post(f"/projects/{pid}/milestones/{mid}/reports",
                                   {"text": "进展", "percent": "20"})).status_code == 303
    await db.rollback()
    rid = await db.scalar(select(ProgressReport.id))
    for role, status in (("org2", 404), ("expert1", 404), ("lead1", 403), ("inspector", 403)):
        response = await by[role].post(f"/assess/reports/{rid}", {"verdict": "completed", "score": "90"})
        assert response.status_code == status, (role, response.status_code)
    await db.rollback()
    db.expunge_all()
    assert (await db.get(ProgressReport, rid)).status == "submitted"
    for role, status in (("org2", 404), ("lead1", 403), ("expert1", 403), ("anonymous", 303)):
        response = await by[role].post(f"/organizer/challenges/{cid}/execution/assessors", {"expert": "ZJ00001"})
        assert response.status_code == status, (role, response.status_code)


async def test_publicity_actions_by_role(app, db, clock):
    story = await publicized(db, clock)
    cid = story.challenge_id
    by = await browsers(app, db)
    assert (await by["anonymous"].post(f"/results/{cid}/objections", {"reason": "x"})).status_code == 303
    for role in ("expert1", "inspector", "lead2"):  # anyone logged in may object
        assert (await by[role].post(f"/results/{cid}/objections", {"reason": f"{role} 的异议"})).status_code == 303
    await db.rollback()
    oid = await db.scalar(select(Objection.id).order_by(Objection.id))
    answer = {"verdict": "dismissed", "reply": "不成立"}
    for role, status in (("org2", 404), ("lead1", 403), ("inspector", 403), ("anonymous", 303)):
        response = await by[role].post(f"/organizer/challenges/{cid}/objections/{oid}", answer)
        assert response.status_code == status, (role, response.status_code)
        response = await by[role].post(f"/organizer/challenges/{cid}/award")
        assert response.status_code == status, (role, response.status_code)
        response = await by[role].post(f"/organizer/challenges/{cid}/publicity", {"working_days": "5"})
        assert response.status_code == status, (role, response.status_code)
    await db.rollback()
    assert await db.scalar(select(func.count()).select_from(Objection).where(Objection.status == "open")) == 3
    assert (await db.scalar(select(Publicity))).status == "published"
    # The evidence of an objection: its objector, the organizer and inspectors; nobody else.
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    assert (await by["lead2"].post(f"/results/{cid}/objections", {"reason": "附材料"},
                                   files={"evidence": ("材料.pdf", pdf, "application/pdf")})).status_code == 303
    await db.rollback()
    objection = await db.scalar(select(Objection).where(Objection.reason == "附材料"))
    from arena.publicity.models import ObjectionEvidence
    evidence_id = await db.scalar(select(ObjectionEvidence.id).where(ObjectionEvidence.objection_id == objection.id))
    url = f"/objections/{objection.id}/evidence/{evidence_id}"
    for role, status in (("lead2", 200), ("org", 200), ("inspector", 200), ("org2", 404), ("lead1", 404),
                         ("expert1", 404), ("anonymous", 303)):
        assert (await by[role].get(url)).status_code == status, role
    # The public page and notice never name an objector.
    public = (await by["anonymous"].get(f"/results/{cid}")).text
    assert "共收到异议 4 件" in public and "专家1" not in public and "纪检" not in public
