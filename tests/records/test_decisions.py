"""The decision flow through the pages (issue 20): only the 组织部门 that covers the cadre's unit
decides; promotions and awards go into a 公示 counted on working days; accountability is decided
only after the cadre's hearing, with a reason; the organizer recommends and gives opinions, the
inspector gives opinions, and the cadre never reads them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.auth.models import Role, User
from arena.clock import DISPLAY_TZ
from arena.execution.models import Project
from arena.notify.models import Notification
from arena.records.models import Certificate, Record, RecordOpinion
from arena.workdays.models import WorkdayException, WorkdayYear
from tests.conftest import as_user, fresh
from tests.execution.factories import awarded
from tests.factories import make_unit, make_user
from tests.records.factories import UNQUALIFIED, accepted, departments, records_of
from tests.review.factories import LEADS, MEMBER

DOCUMENT = {"document_number": "组干〔2026〕15号"}


def _doc(clock) -> dict[str, str]:
    return DOCUMENT | {"document_date": clock.now().astimezone(DISPLAY_TZ).date().isoformat()}


async def _user_id(db, username: str) -> int:
    return await db.scalar(select(User.id).where(User.username == username))


async def test_the_department_approves_a_promotion_into_its_publicity_counted_on_working_days(app, db, clock):
    story = await accepted(db, clock, department="orgdept")
    pid = story.project_ids[0]
    records = await records_of(db, pid)
    assert {r.status for r in records} == {"proposed"} and None not in {r.org_department_id for r in records}
    orgdept_id = await _user_id(db, "orgdept")
    told = await db.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == orgdept_id, Notification.kind == "record.proposed"))
    assert told == 1  # one notice for the three proposals of this acceptance

    orgdept = await as_user(app, "orgdept")
    queue = await orgdept.get("/orgdept/records")
    assert queue.status_code == 200 and LEADS[0] in queue.text and MEMBER in queue.text
    promotion = next(r for r in records if r.record_type == "priority_promotion")
    page = await orgdept.get(f"/records/{promotion.id}")
    assert page.status_code == 200 and "92.00" in page.text and f"/projects/{pid}" in page.text
    for part in ("项目清单", "成效清单", "问题清单", "验收等次：优秀", "批准并公示"):
        assert part in page.text, part
    assert "checked" not in page.text and " selected" not in page.text  # nothing chosen for the user

    missing = await orgdept.post(f"/records/{promotion.id}/approve", {"document_number": "", "document_date": ""})
    assert missing.status_code == 400 and "请填写文号" in missing.text and "请填写发文日期" in missing.text
    later = (clock.now() + timedelta(days=3)).date().isoformat()
    future = await orgdept.post(f"/records/{promotion.id}/approve", DOCUMENT | {"document_date": later})
    assert future.status_code == 400 and "不能晚于今天" in future.text and "组干〔2026〕15号" in future.text

    # Wed 30 Dec 2026: the five working days reach 2027, whose arrangement nobody entered yet
    clock.at = datetime(2026, 12, 30, 10, 0, tzinfo=DISPLAY_TZ).astimezone(UTC)
    orgdept = await as_user(app, "orgdept")  # a month later: a new session
    unknown = await orgdept.post(f"/records/{promotion.id}/approve", _doc(clock))
    assert unknown.status_code == 400 and "2027 年的节假日安排尚未录入" in unknown.text
    await fresh(db)
    assert (await db.get(Record, promotion.id)).status == "proposed"
    db.add(WorkdayYear(year=2027, source="manual", note=""))
    db.add(WorkdayException(day=date(2027, 1, 1), workday=False, name="元旦"))
    await db.commit()
    assert (await orgdept.post(f"/records/{promotion.id}/approve", _doc(clock))).status_code == 303
    await fresh(db)
    record = await db.get(Record, promotion.id)
    # Thu 31 Dec (1), Fri 1 Jan off, Mon 4 … Thu 7 Jan (2–5): it ends at midnight after the 7th
    assert (record.status, record.document_number) == ("publicity", "组干〔2026〕15号")
    assert (record.publicity_first_day, record.publicity_last_day) == (date(2026, 12, 31), date(2027, 1, 7))
    assert record.publicity_ends_at == datetime(2027, 1, 8, tzinfo=DISPLAY_TZ)
    assert record.decided_by_id == orgdept_id and record.effective_at is None
    assert await db.scalar(select(Certificate).where(Certificate.record_id == promotion.id)) is None
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "record.approve"))
    assert event.actor_role == "org_dept" and event.object_id == str(promotion.id)
    lead_id = await _user_id(db, "lead1")
    note = await db.scalar(select(Notification).where(Notification.kind == "record.approved",
                                                      Notification.recipient_id == lead_id))
    assert note.link == f"/my/records/{promotion.id}" and "2027-01-07" in note.body
    assert await db.scalar(select(Notification).where(Notification.kind == "record.approved",
                                                      Notification.recipient_id == await _user_id(db, "org")))
    again = await orgdept.post(f"/records/{promotion.id}/approve", _doc(clock))
    assert again.status_code == 400
    decide = await orgdept.post(f"/records/{promotion.id}/decide", _doc(clock) | {"decision_reason": "x"})
    assert decide.status_code == 400
    assert "公示中" in (await orgdept.get("/orgdept/records?status=publicity")).text
    assert "优先提拔使用" not in (await (await as_user(app, "lead1")).get("/dossier")).text  # not effective yet


async def test_only_the_covering_department_decides_and_everyone_else_is_told_nothing(app, db, clock):
    story = await accepted(db, clock, department="orgdept")
    await departments(db, "orgdept2", [(await make_unit(db, "另一个县")).id])
    await make_user(db, "inspector", Role.INSPECTOR, name="纪检")
    await make_user(db, "org2", Role.ORGANIZER, name="另一发榜单位")
    await db.commit()
    records = await records_of(db, story.project_ids[0])
    promotion = next(r for r in records if r.record_type == "priority_promotion")
    forms = {"approve": _doc(clock), "reject": {"reason": "不同意"}, "hearing": {},
             "decide": _doc(clock) | {"decision_reason": "x"},
             "type": {"record_type": "award_innovation", "type_reason": "x"}}
    expected = {"org": 404, "orgdept2": 404, "inspector": 404, "lead1": 404, "org2": 404}
    wrong = []
    for who, status in expected.items():
        browser = await as_user(app, who)
        for action, form in forms.items():
            got = (await browser.post(f"/records/{promotion.id}/{action}", form)).status_code
            if got != status:
                wrong.append(f"{who} {action}: {got}, expected {status}")
    pages = {"org": 200, "orgdept": 200, "inspector": 200, "orgdept2": 404, "org2": 404, "lead1": 404,
             "member": 404}
    for who, status in pages.items():
        got = (await (await as_user(app, who)).get(f"/records/{promotion.id}")).status_code
        if got != status:
            wrong.append(f"{who} GET: {got}, expected {status}")
    other = (await (await as_user(app, "orgdept2")).get("/orgdept/records?status=all")).text
    if LEADS[0] in other:
        wrong.append("another department lists the record")
    assert not wrong, "\n".join(wrong)
    await fresh(db)
    stored = await db.get(Record, promotion.id)
    assert (stored.status, stored.record_type) == ("proposed", "priority_promotion")
    organizer_page = (await (await as_user(app, "org")).get(f"/records/{promotion.id}")).text
    assert "批准并公示" not in organizer_page and "提出意见" in organizer_page  # opinions only
    assert (await (await as_user(app, "org")).get(f"/organizer/records/{promotion.id}")).status_code == 302


async def test_accountability_is_decided_only_after_the_hearing_and_with_a_reason(app, db, clock):
    story = await accepted(db, clock, UNQUALIFIED, department="orgdept")
    (admonishment,) = await records_of(db, story.project_ids[0])
    assert admonishment.record_type == "admonishment"
    orgdept = await as_user(app, "orgdept")
    url = f"/records/{admonishment.id}"
    page = (await orgdept.get(url)).text
    assert "告知陈述申辩" in page and "批准并公示" not in page
    early = await orgdept.post(f"{url}/decide", _doc(clock) | {"decision_reason": "x"})
    assert early.status_code == 400 and "须先告知干部陈述申辩" in early.text
    assert (await orgdept.post(f"{url}/approve", _doc(clock))).status_code == 400
    assert (await orgdept.post(f"{url}/hearing", {})).status_code == 303
    await fresh(db)
    record = await db.get(Record, admonishment.id)
    assert record.status == "hearing" and record.hearing_last_day > clock.today()
    last_day = record.hearing_last_day
    lead_id = await _user_id(db, "lead1")
    told = await db.scalar(select(Notification).where(Notification.kind == "record.hearing"))
    assert told.recipient_id == lead_id and last_day.isoformat() in told.body
    assert told.link == f"/my/records/{admonishment.id}"

    refused = await orgdept.post(f"{url}/decide", _doc(clock) | {"decision_reason": "工作不力。"})
    assert refused.status_code == 400 and last_day.isoformat() in refused.text
    assert "陈述申辩期至" in (await orgdept.get(url)).text

    clock.at = record.hearing_ends_at + timedelta(minutes=1)
    orgdept = await as_user(app, "orgdept")
    no_reason = await orgdept.post(f"{url}/decide", _doc(clock) | {"decision_reason": " "})
    assert no_reason.status_code == 400 and "请写明作出决定的理由" in no_reason.text
    ok = await orgdept.post(f"{url}/decide", _doc(clock) | {"decision_reason": "验收不合格且无容错情形。"})
    assert ok.status_code == 303
    await fresh(db)
    record = await db.get(Record, admonishment.id)
    assert (record.status, record.decision_reason) == ("effective", "验收不合格且无容错情形。")
    assert record.effective_at == clock.now()
    decided = await db.scalar(select(Notification).where(Notification.kind == "record.decided",
                                                         Notification.recipient_id == lead_id))
    assert "验收不合格且无容错情形" in decided.body
    actions = [a for a in (await db.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "record", AuditEvent.object_id == str(admonishment.id)))).all()]
    assert actions == ["record.propose", "record.start_hearing", "record.decide"]
    assert "诫勉" in (await (await as_user(app, "lead1")).get("/dossier")).text


async def test_a_waived_hearing_may_be_decided_at_once_and_an_exemption_needs_no_hearing(app, db, clock):
    story = await accepted(db, clock, UNQUALIFIED, department="orgdept")
    (admonishment,) = await records_of(db, story.project_ids[0])
    orgdept = await as_user(app, "orgdept")
    url = f"/records/{admonishment.id}"
    retype = await orgdept.post(f"{url}/type", {"record_type": "fault_tolerance_exemption", "type_reason": ""})
    assert retype.status_code == 400 and "请写明修改类型的理由" in retype.text
    assert (await orgdept.post(f"{url}/hearing", {})).status_code == 303
    late = await orgdept.post(f"{url}/type", {"record_type": "post_exit", "type_reason": "情节较重。"})
    assert late.status_code == 400 and "只有待审批的建议才能修改类型" in late.text
    await fresh(db)
    record = await db.get(Record, admonishment.id)
    record.hearing_waived_at = clock.now()  # as records.hearing.waive leaves it
    await db.commit()
    assert (await orgdept.post(f"{url}/decide", _doc(clock) | {"decision_reason": "本人放弃陈述申辩。"})).status_code \
        == 303
    await fresh(db)
    assert (await db.get(Record, admonishment.id)).status == "effective"


async def test_reject_needs_a_reason_and_retype_keeps_to_what_the_trigger_allows(app, db, clock):
    story = await accepted(db, clock, department="orgdept")
    records = await records_of(db, story.project_ids[0])
    promotion = next(r for r in records if r.record_type == "priority_promotion")
    innovation = next(r for r in records if r.record_type == "award_innovation")
    orgdept = await as_user(app, "orgdept")
    empty = await orgdept.post(f"/records/{promotion.id}/reject", {"reason": " "})
    assert empty.status_code == 400 and "请写明不批准的理由" in empty.text
    assert (await orgdept.post(f"/records/{promotion.id}/reject", {"reason": "任职年限不足。"})).status_code == 303
    same = await orgdept.post(f"/records/{innovation.id}/type", {"record_type": "award_innovation", "type_reason": "x"})
    assert same.status_code == 400
    changed = await orgdept.post(f"/records/{innovation.id}/type", {"record_type": "cross_level_promotion",
                                                                     "type_reason": "实绩特别突出。"})
    assert changed.status_code == 303
    await fresh(db)
    rejected, retyped = await db.get(Record, promotion.id), await db.get(Record, innovation.id)
    assert (rejected.status, rejected.decision_reason) == ("rejected", "任职年限不足。")
    assert (retyped.status, retyped.record_type, retyped.proposed_type, retyped.type_change_reason) == (
        "proposed", "cross_level_promotion", "award_innovation", "实绩特别突出。")
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "record.retype"))
    assert "实绩特别突出" in event.summary and event.actor_role == "org_dept"
    assert (await orgdept.post(f"/records/{promotion.id}/type", {
        "record_type": "admonishment", "type_reason": "x"})).status_code == 400  # decided: no change
    rejected_tab = (await orgdept.get("/orgdept/records?status=rejected")).text
    assert f"/records/{promotion.id}" in rejected_tab and f"/records/{innovation.id}\"" not in rejected_tab
    assert "任职年限不足" in (await orgdept.get(f"/records/{promotion.id}")).text


async def test_an_exemption_is_decided_at_once_with_an_optional_reason(app, db, clock):
    story = await accepted(db, clock, UNQUALIFIED, department="orgdept")
    (admonishment,) = await records_of(db, story.project_ids[0])
    orgdept = await as_user(app, "orgdept")
    url = f"/records/{admonishment.id}"
    assert (await orgdept.post(f"{url}/type", {"record_type": "fault_tolerance_exemption",
                                               "type_reason": "属于容错情形。"})).status_code == 303
    assert (await orgdept.post(f"{url}/hearing", {})).status_code == 400
    assert (await orgdept.post(f"{url}/decide", _doc(clock) | {"decision_reason": ""})).status_code == 303
    await fresh(db)
    record = await db.get(Record, admonishment.id)
    assert (record.status, record.record_type, record.decision_reason) == (
        "effective", "fault_tolerance_exemption", None)


async def test_opinions_need_a_stance_and_the_cadre_never_reads_them(app, db, clock):
    story = await accepted(db, clock, UNQUALIFIED, department="orgdept")
    (admonishment,) = await records_of(db, story.project_ids[0])
    await make_user(db, "inspector", Role.INSPECTOR, name="纪检")
    await db.commit()
    url = f"/records/{admonishment.id}"
    org, inspector = await as_user(app, "org"), await as_user(app, "inspector")
    form = (await inspector.get(url)).text
    assert 'name="stance"' in form and "checked" not in form
    no_stance = await inspector.post(f"{url}/opinion", {"opinion": "另有问题线索。"})
    assert no_stance.status_code == 400 and "请选择意见" in no_stance.text and "另有问题线索" in no_stance.text
    assert (await inspector.post(f"{url}/opinion", {"stance": "agree", "opinion": "另有问题线索。"})).status_code == 303
    assert (await org.post(f"{url}/opinion", {"stance": "disagree", "opinion": "客观原因为主。"})).status_code == 303
    orgdept = await as_user(app, "orgdept")
    assert (await orgdept.post(f"{url}/opinion", {"stance": "agree", "opinion": "x"})).status_code == 403
    page = (await orgdept.get(url)).text
    assert "另有问题线索" in page and "纪检监察意见" in page and "客观原因为主" in page and "发榜单位意见" in page
    assert "/inspector/records" in (await inspector.get("/inspector/records")).text
    assert url in (await inspector.get("/inspector/records")).text
    await fresh(db)
    roles = sorted((await db.scalars(select(RecordOpinion.role))).all())
    assert roles == ["inspector", "organizer"]
    events = (await db.scalars(select(AuditEvent.actor_role).where(AuditEvent.action == "record.opinion"))).all()
    assert sorted(events) == ["inspector", "organizer"]

    lead = await as_user(app, "lead1")
    assert (await lead.get(url)).status_code == 404
    for path in ("/dossier", f"/my/records/{admonishment.id}", "/my/records"):
        response = await lead.get(path)
        assert "另有问题线索" not in response.text and "客观原因为主" not in response.text, path

    # decided: no more opinions
    assert (await orgdept.post(f"{url}/reject", {"reason": "不予问责。"})).status_code == 303
    closed = await inspector.post(f"{url}/opinion", {"stance": "agree", "opinion": "补充。"})
    assert closed.status_code == 400 and "只能对待审批或陈述申辩中的建议提出意见" in closed.text


async def test_the_organizer_recommends_a_team_member_with_an_opinion(app, db, clock):
    story = await accepted(db, clock, department="orgdept")
    pid = story.project_ids[0]
    await make_user(db, "org2", Role.ORGANIZER, name="另一发榜单位")
    await db.commit()
    org = await as_user(app, "org")
    page = await org.get(f"/organizer/records/recommend?project={pid}")
    assert page.status_code == 200 and LEADS[0] in page.text and MEMBER in page.text
    assert LEADS[1] not in page.text and " selected" not in page.text
    execution = (await org.get(f"/organizer/challenges/{story.challenge_id}/execution")).text
    assert f"/organizer/records/recommend?project={pid}" in execution
    assert (await (await as_user(app, "org2")).get(f"/organizer/records/recommend?project={pid}")).status_code == 404
    assert (await org.get("/organizer/records/recommend?project=abc")).status_code == 404

    member_id = await db.scalar(select(Record.cadre_id).where(Record.project_id == pid, Record.recipient == "members"))
    other_lead = (await records_of(db, story.project_ids[0]))[0].cadre_id + 10_000
    bad = await org.post("/organizer/records/recommend", {"project": str(pid), "cadre": str(other_lead),
                                                          "record_type": "admonishment", "opinion": ""})
    assert bad.status_code == 400
    for message in ("请选择该项目的负责人或团队成员", "请选择推荐的结果运用类型", "请填写推荐意见"):
        assert message in bad.text, message
    duplicate = await org.post("/organizer/records/recommend", {
        "project": str(pid), "cadre": str(member_id), "record_type": "award_innovation", "opinion": "x"})
    assert duplicate.status_code == 400 and "已有这一结果运用建议" in duplicate.text
    ok = await org.post("/organizer/records/recommend", {
        "project": str(pid), "cadre": str(member_id), "record_type": "cross_level_promotion",
        "opinion": "在项目中承担核心技术攻关，建议跨层级晋升。"})
    assert ok.status_code == 303
    await fresh(db)
    record = await db.scalar(select(Record).where(Record.origin == "recommended"))
    assert (record.cadre_id, record.record_type, record.trigger, record.rule_id, record.status) == (
        member_id, "cross_level_promotion", "recommended", None, "proposed")
    assert record.org_department_id is not None and ok.headers["location"] == f"/records/{record.id}?done=recommended"
    facts = json.loads(record.facts)
    assert facts["acceptance"]["grade"] == "excellent" and facts["role"]["recipient"] == "members"
    opinion = await db.scalar(select(RecordOpinion).where(RecordOpinion.record_id == record.id))
    assert (opinion.role, opinion.stance, opinion.text) == ("organizer", "agree", "在项目中承担核心技术攻关，建议跨层级晋升。")
    assert await db.scalar(select(AuditEvent).where(AuditEvent.action == "record.recommend"))
    told = await db.scalar(select(Notification).where(Notification.recipient_id == await _user_id(db, "orgdept"),
                                                      Notification.link == f"/records/{record.id}"))
    assert told is not None
    page = (await (await as_user(app, "orgdept")).get(f"/records/{record.id}")).text
    assert "发榜单位推荐" in page and "建议跨层级晋升" in page
    refused = await (await as_user(app, "orgdept")).post(f"/records/{record.id}/type", {
        "record_type": "admonishment", "type_reason": "x"})
    assert refused.status_code == 400  # a recommendation stays a promotion or an award


async def test_a_project_not_yet_accepted_cannot_be_recommended(app, db, clock):
    story = await awarded(db, clock)
    org = await as_user(app, "org")
    pid = story.project_ids[0]
    lead_id = (await db.get(Project, pid)).lead_id
    refused = await org.post("/organizer/records/recommend", {
        "project": str(pid), "cadre": str(lead_id), "record_type": "award_innovation", "opinion": "推荐。"})
    assert refused.status_code == 400 and "项目验收后才能推荐结果运用" in refused.text
