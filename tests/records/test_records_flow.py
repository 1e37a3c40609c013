"""Records through the pages: proposals after acceptance, approval with a document number,
rejection and a changed type, the dossier, the certificate and its public verification."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from arena.audit.models import AuditEvent
from arena.notify.models import Notification
from arena.records.models import Certificate, Record
from tests.conftest import as_user, fresh, make_client
from tests.records.factories import accepted, records_of
from tests.review.factories import LEADS, MEMBER


async def test_an_excellent_result_proposes_by_the_default_rules_and_approval_makes_the_dossier(app, db, clock):
    story = await accepted(db, clock)
    pid = story.project_ids[0]
    records = await records_of(db, pid)
    assert sorted((r.recipient, r.record_type) for r in records) == [
        ("lead", "award_responsibility"), ("lead", "priority_promotion"), ("members", "award_innovation")]
    assert {r.status for r in records} == {"proposed"}
    facts = json.loads(records[0].facts)
    assert facts["acceptance"]["grade"] == "excellent" and facts["acceptance"]["score"] == "92.00"
    assert facts["challenge"]["id"] == story.challenge_id and facts["project"]["id"] == pid
    award = next(r for r in records if r.record_type == "award_responsibility")
    org = await as_user(app, "org")
    assert "3 条结果运用建议等待审批" in (await org.get("/")).text  # the home page's to-do
    queue = await org.get("/organizer/records")
    assert queue.status_code == 200 and LEADS[0] in queue.text and MEMBER in queue.text
    page = await org.get(f"/organizer/records/{award.id}")
    assert page.status_code == 200 and "92.00" in page.text and f"/projects/{pid}" in page.text
    assert f"/organizer/challenges/{story.challenge_id}/acceptance/summary.pdf" in page.text

    # bad input: the form comes back filled in and nothing changes
    missing = await org.post(f"/organizer/records/{award.id}/approve", {"document_number": "", "document_date": ""})
    assert missing.status_code == 400 and "请填写文号" in missing.text and "请填写发文日期" in missing.text
    future = (clock.now() + timedelta(days=3)).date().isoformat()
    later = await org.post(f"/organizer/records/{award.id}/approve",
                           {"document_number": "组干〔2026〕15号", "document_date": future})
    assert later.status_code == 400 and "不能晚于今天" in later.text and "组干〔2026〕15号" in later.text
    await fresh(db)
    assert (await db.get(Record, award.id)).status == "proposed"

    day = clock.now().date().isoformat()
    ok = await org.post(f"/organizer/records/{award.id}/approve", {"document_number": "组干〔2026〕15号",
                                                                   "document_date": day})
    assert ok.status_code == 303
    await fresh(db)
    record = await db.get(Record, award.id)
    assert (record.status, record.document_number, record.decided_by_id is not None) == (
        "approved", "组干〔2026〕15号", True)
    code = await db.scalar(select(Certificate.code).where(Certificate.record_id == award.id))
    assert code is not None and len(code) == 12
    actions = set((await db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "record",
                                                                    AuditEvent.object_id == str(award.id)))).all())
    assert {"record.propose", "record.approve", "record.certificate"} <= actions
    assert await db.scalar(select(Notification).where(Notification.kind == "record.approved"))
    again = await org.post(f"/organizer/records/{award.id}/approve", {"document_number": "x", "document_date": day})
    assert again.status_code == 400

    # the promotion needs no certificate
    promotion = next(r for r in records if r.record_type == "priority_promotion")
    assert (await org.post(f"/organizer/records/{promotion.id}/approve",
                           {"document_number": "组干〔2026〕16号", "document_date": day})).status_code == 303
    await fresh(db)
    assert await db.scalar(select(Certificate).where(Certificate.record_id == promotion.id)) is None

    # the lead's dossier shows both, with the certificate; the member's shows no approved record yet
    lead = await as_user(app, "lead1")
    assert "近 30 天有 2 条结果运用记录记入你的实绩档案" in (await lead.get("/")).text
    dossier = await lead.get("/dossier")
    assert dossier.status_code == 200 and "担当作为奖" in dossier.text and "优先提拔使用" in dossier.text
    assert "组干〔2026〕15号" in dossier.text and code in dossier.text
    pdf = await lead.get(f"/certificates/{code}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert code in pdf.headers["content-disposition"]
    dossier_pdf = await lead.get("/dossier.pdf")
    assert dossier_pdf.status_code == 200 and dossier_pdf.content.startswith(b"%PDF")
    member = await as_user(app, "member")
    assert "担当作为奖" not in (await member.get("/dossier")).text
    assert (await member.get(f"/certificates/{code}.pdf")).status_code == 404

    # anyone verifies the code, typed in any case with dashes
    visitor = make_client(app)
    typed = "-".join(code[i:i + 4] for i in range(0, 12, 4)).lower()
    verified = await visitor.get(f"/verify?code={typed}")
    assert verified.status_code == 200 and "真实有效" in verified.text and LEADS[0] in verified.text
    assert "担当作为奖" in verified.text and "组干〔2026〕15号" in verified.text
    assert (await visitor.get("/verify/ABCD-EFGH-JKMN")).status_code == 404
    assert (await visitor.get("/verify/nonsense")).status_code == 404


async def test_reject_needs_a_reason_and_a_changed_type_keeps_the_rules_choice(app, db, clock):
    story = await accepted(db, clock)
    records = await records_of(db, story.project_ids[0])
    promotion = next(r for r in records if r.record_type == "priority_promotion")
    innovation = next(r for r in records if r.record_type == "award_innovation")
    org = await as_user(app, "org")
    empty = await org.post(f"/organizer/records/{promotion.id}/reject", {"reason": " "})
    assert empty.status_code == 400 and "请写明不批准的理由" in empty.text
    assert (await org.post(f"/organizer/records/{promotion.id}/reject", {"reason": "任职年限不足。"})).status_code == 303
    no_reason = await org.post(f"/organizer/records/{innovation.id}/type", {"record_type": "award_responsibility",
                                                                             "type_reason": ""})
    assert no_reason.status_code == 400 and "请写明修改类型的理由" in no_reason.text
    same = await org.post(f"/organizer/records/{innovation.id}/type", {"record_type": "award_innovation",
                                                                        "type_reason": "x"})
    assert same.status_code == 400
    changed = await org.post(f"/organizer/records/{innovation.id}/type", {"record_type": "cross_level_promotion",
                                                                           "type_reason": "实绩特别突出。"})
    assert changed.status_code == 303
    await fresh(db)
    rejected, retyped = await db.get(Record, promotion.id), await db.get(Record, innovation.id)
    assert (rejected.status, rejected.decision_reason) == ("rejected", "任职年限不足。")
    assert (retyped.status, retyped.record_type, retyped.proposed_type, retyped.type_change_reason) == (
        "proposed", "cross_level_promotion", "award_innovation", "实绩特别突出。")
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "record.retype"))
    assert "实绩特别突出" in event.summary
    assert (await org.post(f"/organizer/records/{promotion.id}/type", {
        "record_type": "admonishment", "type_reason": "x"})).status_code == 400  # decided: no change
    rejected_tab = (await org.get("/organizer/records?status=rejected")).text
    assert f"/organizer/records/{promotion.id}" in rejected_tab and f"/organizer/records/{innovation.id}" not in rejected_tab
    assert "任职年限不足" in (await org.get(f"/organizer/records/{promotion.id}")).text
