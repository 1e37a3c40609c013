"""The cadre's side of an accountability proposal (陈述申辩, issue 20 §2): the statement with
evidence, revised until the period ends, refused after it or after a waiver; only the cadre it is
about; the department told; and the cadre's pages never show an opinion."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select

from arena.actor import Role
from arena.audit.models import AuditEvent
from arena.clock import FrozenClock
from arena.notify.models import Notification
from arena.publicity.service import period_for
from arena.records import hearing
from arena.records.models import Record, RecordOpinion, RecordStatement, RecordStatementEvidence
from arena.records.transitions import RECORD
from arena.units.models import Cadre, OrgDepartment, OrgDepartmentMember
from tests.conftest import as_user, fresh
from tests.execution.factories import actor
from tests.factories import make_user
from tests.records.factories import UNQUALIFIED, accepted

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
OPINION = "纪检监察意见：此人另有问题线索（不得让当事人看到）"


async def in_hearing(db, clock: FrozenClock, *, opened_at: datetime | None = None) -> SimpleNamespace:
    """lead1's project accepted as unqualified: the admonishment proposal, decided by a 组织部门
    (member `orgdept`) that has opened the hearing for 5 working days at `opened_at` (now)."""
    story = await accepted(db, clock, UNQUALIFIED)
    await fresh(db)
    record = await db.scalar(select(Record).where(Record.project_id == story.project_ids[0],
                                                  Record.record_type == "admonishment"))
    assert record is not None
    cadre = await db.get(Cadre, record.cadre_id)
    user = await make_user(db, "orgdept", Role.ORG_DEPT, name="组织部审批人")
    department = OrgDepartment(name="市委组织部", unit_id=cadre.unit_id)
    db.add(department)
    await db.flush()
    db.add(OrgDepartmentMember(org_department_id=department.id, user_id=user.id))
    record.org_department_id = department.id
    opened = opened_at or clock.now()
    period = await period_for(db, opened, 5)
    record.hearing_started_at, record.hearing_last_day, record.hearing_ends_at = opened, period.last_day, period.ends_at
    await RECORD.move(db, clock, await actor(db, "orgdept"), "org_dept", record, "start_hearing",
                      {"last_day": period.last_day.isoformat()})
    await db.commit()
    return SimpleNamespace(id=record.id, challenge_id=story.challenge_id, department_id=department.id,
                           last_day=period.last_day, ends_at=period.ends_at, orgdept_id=user.id)


async def test_the_cadre_files_a_statement_with_evidence_and_revises_it(app, db, clock):
    h = await in_hearing(db, clock)
    lead = await as_user(app, "lead1")
    listing = await lead.get("/my/records")
    assert listing.status_code == 200 and "诫勉" in listing.text and "陈述申辩中" in listing.text
    assert f"/my/records/{h.id}" in listing.text and "尚未提交陈述" in listing.text
    page = await lead.get(f"/my/records/{h.id}")
    assert page.status_code == 200 and "验收不合格" in page.text and h.last_day.isoformat() in page.text
    assert "还剩 5 个工作日" in page.text and 'name="statement"' in page.text and "放弃陈述申辩" in page.text
    url = f"/my/records/{h.id}/statement"

    empty = await lead.post(url, {"statement": "  "})
    assert empty.status_code == 400 and "请写明陈述和申辩的事实与理由" in empty.text
    fake = await lead.post(url, {"statement": "验收时关键设备尚未到货。"},
                           files={"evidence": ("到货证明.pdf", b"not a pdf", "application/pdf")})
    assert fake.status_code == 400 and "按文件内容识别" in fake.text and "验收时关键设备尚未到货。" in fake.text
    await fresh(db)
    assert await db.scalar(select(func.count()).select_from(RecordStatement)) == 0

    filed = await lead.post(url, {"statement": "验收时关键设备尚未到货。"},
                            files={"evidence": ("到货证明.pdf", PDF, "application/pdf")})
    assert filed.status_code == 303 and filed.headers["location"] == f"/my/records/{h.id}?done=statement"
    await fresh(db)
    statement = await db.scalar(select(RecordStatement).where(RecordStatement.record_id == h.id))
    assert statement.text == "验收时关键设备尚未到货。" and statement.submitted_at == statement.revised_at
    evidence = (await db.scalars(select(RecordStatementEvidence)
                                 .where(RecordStatementEvidence.statement_id == statement.id))).all()
    assert [e.title for e in evidence] == ["到货证明.pdf"]
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "record.statement"))
    assert json.loads(event.summary) == {"evidence": 1, "revised": False} and "到货" not in event.summary
    told = (await db.scalars(select(Notification).where(Notification.kind == "record.statement"))).all()
    assert [n.recipient_id for n in told] == [h.orgdept_id] and told[0].link == f"/orgdept/records/{h.id}"

    # the file: the cadre, the deciding department and the challenge's organizer; no one else
    file_url = f"/records/{h.id}/statement/files/{evidence[0].id}"
    assert (await lead.get(file_url)).content == PDF
    assert (await (await as_user(app, "orgdept")).get(file_url)).status_code == 200
    assert (await (await as_user(app, "org")).get(file_url)).status_code == 200
    assert (await (await as_user(app, "lead2")).get(file_url)).status_code == 404
    assert (await lead.get(f"/records/{h.id + 1}/statement/files/{evidence[0].id}")).status_code == 404

    clock.advance(timedelta(hours=2))
    revised = await lead.post(url, {"statement": "补充：设备延期到货有供应商书面说明。"})
    assert revised.status_code == 303
    await fresh(db)
    statement = await db.scalar(select(RecordStatement).where(RecordStatement.record_id == h.id))
    assert statement.text.startswith("补充") and statement.revised_at > statement.submitted_at
    summaries = (await db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "record.statement")
                                  .order_by(AuditEvent.id))).all()
    assert [json.loads(s) for s in summaries] == [{"evidence": 1, "revised": False}, {"evidence": 0, "revised": True}]
    page = await lead.get(f"/my/records/{h.id}")
    assert "补充：设备延期到货有供应商书面说明。" in page.text and "到货证明.pdf" in page.text and "最后修改" in page.text


async def test_waiving_ends_the_hearing_and_tells_the_department(app, db, clock):
    h = await in_hearing(db, clock)
    lead = await as_user(app, "lead1")
    assert 'data-confirm' in (await lead.get(f"/my/records/{h.id}")).text
    waived = await lead.post(f"/my/records/{h.id}/waive")
    assert waived.status_code == 303
    await fresh(db)
    record = await db.get(Record, h.id)
    assert record.hearing_waived_at == clock.now() and record.status == "hearing"
    assert await db.scalar(select(AuditEvent).where(AuditEvent.action == "record.waive",
                                                    AuditEvent.object_id == str(h.id)))
    assert await db.scalar(select(Notification).where(Notification.kind == "record.waive",
                                                      Notification.recipient_id == h.orgdept_id))
    late = await lead.post(f"/my/records/{h.id}/statement", {"statement": "还是想说明一下。"})
    assert late.status_code == 400 and "你已放弃陈述申辩" in late.text
    assert (await lead.post(f"/my/records/{h.id}/waive")).status_code == 400
    page = await lead.get(f"/my/records/{h.id}")
    assert 'name="statement"' not in page.text and "放弃陈述申辩" in page.text
    await fresh(db)
    assert await db.scalar(select(func.count()).select_from(RecordStatement)) == 0


async def test_the_statement_is_refused_after_the_period(app, db, clock):
    h = await in_hearing(db, clock)
    clock.advance(h.ends_at - clock.now())  # midnight Beijing after the last working day
    lead = await as_user(app, "lead1")  # (a session idle for days has expired)
    late = await lead.post(f"/my/records/{h.id}/statement", {"statement": "迟到的陈述。"})
    assert late.status_code == 400 and "陈述申辩期已于" in late.text and "迟到的陈述。" in late.text
    assert (await lead.post(f"/my/records/{h.id}/waive")).status_code == 400
    page = await lead.get(f"/my/records/{h.id}")
    assert 'name="statement"' not in page.text and "你没有提交陈述" in page.text
    await fresh(db)
    assert (await db.get(Record, h.id)).hearing_waived_at is None


async def test_only_the_cadre_it_is_about_reads_and_answers_it(app, db, clock):
    h = await in_hearing(db, clock)
    for username in ("lead2", "member", "org", "orgdept"):
        other = await as_user(app, username)
        assert (await other.get(f"/my/records/{h.id}")).status_code == 404, username
        assert f"/my/records/{h.id}" not in (await other.get("/my/records")).text
        assert (await other.post(f"/my/records/{h.id}/statement", {"statement": "冒名"})).status_code == 404
        assert (await other.post(f"/my/records/{h.id}/waive")).status_code == 404
    assert (await (await as_user(app, "lead1")).get("/my/records/999999")).status_code == 404
    await fresh(db)
    record = await db.get(Record, h.id)
    assert record.hearing_waived_at is None
    assert await db.scalar(select(func.count()).select_from(RecordStatement)) == 0


async def test_the_cadre_reads_the_decision_and_its_reason_but_never_an_opinion(app, db, clock):
    h = await in_hearing(db, clock)
    inspector = await make_user(db, "inspector9", Role.INSPECTOR)
    db.add(RecordOpinion(record_id=h.id, author_id=inspector.id, role="inspector", stance="other", text=OPINION,
                         given_at=clock.now()))
    await db.commit()
    lead = await as_user(app, "lead1")
    assert OPINION not in (await lead.get("/my/records")).text
    assert OPINION not in (await lead.get(f"/my/records/{h.id}")).text

    clock.advance(h.ends_at - clock.now() + timedelta(hours=1))
    await fresh(db)
    record = await db.get(Record, h.id)
    record.document_number, record.document_date = "组干〔2026〕31号", clock.today()
    record.decision_reason, record.decided_at = "验收不合格且无容错情形，陈述理由不成立。", clock.now()
    await RECORD.move(db, clock, await actor(db, "orgdept"), "org_dept", record, "decide", {"type": "admonishment"})
    await db.commit()
    lead = await as_user(app, "lead1")
    page = await lead.get(f"/my/records/{h.id}")
    assert page.status_code == 200 and "已生效" in page.text and "组干〔2026〕31号" in page.text
    assert "陈述理由不成立" in page.text and OPINION not in page.text and "纪检监察意见" not in page.text
    listing = await lead.get("/my/records")
    assert "组干〔2026〕31号" in listing.text and OPINION not in listing.text


async def test_the_hearing_period_runs_on_working_days_across_the_national_day(app, db, clock):
    """Opened on Wednesday 30 September 2026: 1–7 October are holidays and Saturday 10 October is
    a working day, so the 5 working days are 8, 9, 10, 12 and 13 October."""
    opened = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 Beijing
    h = await in_hearing(db, clock, opened_at=opened)
    assert h.last_day.isoformat() == "2026-10-13"
    assert h.ends_at == datetime(2026, 10, 13, 16, 0, tzinfo=UTC)  # midnight Beijing
    clock.at = datetime(2026, 10, 2, 2, 0, tzinfo=UTC)  # in the holiday: none used yet
    lead = await as_user(app, "lead1")
    page = await lead.get(f"/my/records/{h.id}")
    assert "还剩 5 个工作日" in page.text and "2026-10-13" in page.text
    clock.at = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)  # Friday: the 8th is used up
    lead = await as_user(app, "lead1")
    assert "还剩 4 个工作日" in (await lead.get(f"/my/records/{h.id}")).text
    clock.at = datetime(2026, 10, 13, 15, 59, tzinfo=UTC)  # the last day, one minute to midnight
    lead = await as_user(app, "lead1")
    assert "还剩 1 个工作日" in (await lead.get(f"/my/records/{h.id}")).text
    assert (await lead.post(f"/my/records/{h.id}/statement", {"statement": "最后一天提交。"})).status_code == 303


def _record(status: str, record_type: str = "admonishment", heard: bool = True) -> Record:
    return Record(status=status, record_type=record_type,
                  hearing_started_at=datetime(2026, 1, 5, tzinfo=UTC) if heard else None)


def test_the_stepper_follows_the_records_path():
    def shown(record: Record) -> list[tuple[str, str]]:
        return [(s.label, s.state) for s in hearing.steps(record)]

    assert shown(_record("hearing")) == [("建议", "done"), ("陈述申辩", "current"), ("生效", "upcoming")]
    assert shown(_record("effective")) == [("建议", "done"), ("陈述申辩", "done"), ("生效", "done")]
    assert shown(_record("rejected")) == [("建议", "done"), ("陈述申辩", "done"), ("未批准", "stopped")]
    assert shown(_record("rejected", heard=False)) == [("建议", "done"), ("未批准", "stopped")]
    assert shown(_record("publicity", "award_innovation", False)) == [
        ("建议", "done"), ("公示", "current"), ("生效", "upcoming")]
    assert shown(_record("withdrawn", "priority_promotion", False)) == [
        ("建议", "done"), ("公示", "done"), ("已撤回", "stopped")]
    assert shown(_record("revoked", "award_innovation", False)) == [
        ("建议", "done"), ("公示", "done"), ("生效", "done"), ("已撤销", "stopped")]
    assert shown(_record("proposed", "fault_tolerance_exemption", False)) == [("建议", "current"), ("生效", "upcoming")]


async def test_the_list_loads_in_a_fixed_number_of_queries(app, db, clock, query_counter):
    h = await in_hearing(db, clock)
    lead = await as_user(app, "lead1")
    await lead.post(f"/my/records/{h.id}/statement", {"statement": "说明。"},
                    files={"evidence": ("a.pdf", PDF, "application/pdf")})
    with query_counter() as one:
        assert (await lead.get("/my/records")).status_code == 200
    await fresh(db)
    record = await db.get(Record, h.id)
    for n in range(3):  # more of the cadre's records, as other rules would propose them
        db.add(Record(proposal_key=f"copy:{n}", cadre_id=record.cadre_id, challenge_id=record.challenge_id,
                      project_id=record.project_id, trigger=record.trigger, recipient=record.recipient,
                      record_type="post_exit", proposed_type="post_exit", facts=record.facts,
                      proposed_at=clock.now()))
    await db.commit()
    with query_counter() as four:
        page = await lead.get("/my/records")
    assert page.text.count("/my/records/") == 4 and four.count == one.count
