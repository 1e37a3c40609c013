"""Records from proposal to dossier: proposals after acceptance, approved by the 组织部门 into
their 公示, in force when it ends — the dossier, the certificate and its public verification.
(The decisions themselves, their refusals and permissions: test_decisions.)"""

from __future__ import annotations

import json

from sqlalchemy import select

from arena.audit.models import AuditEvent
from arena.notify.models import Notification
from arena.records.models import Certificate, Record
from tests.conftest import as_user, fresh, make_client
from tests.records.factories import accepted, in_force, records_of
from tests.review.factories import LEADS, MEMBER


async def test_an_excellent_result_proposes_by_the_default_rules_and_approval_makes_the_dossier(app, db, clock):
    story = await accepted(db, clock, department="orgdept")
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
    queue = await org.get("/organizer/records")
    assert queue.status_code == 200 and LEADS[0] in queue.text and MEMBER in queue.text
    assert f'href="/records/{award.id}"' in queue.text
    page = await org.get(f"/records/{award.id}")
    assert page.status_code == 200 and "92.00" in page.text and f"/projects/{pid}" in page.text

    day = clock.now().date().isoformat()
    orgdept = await as_user(app, "orgdept")
    assert (await orgdept.post(f"/records/{award.id}/approve", {"document_number": "组干〔2026〕15号",
                                                                "document_date": day})).status_code == 303
    await fresh(db)
    record = await db.get(Record, award.id)
    assert (record.status, record.document_number, record.decided_by_id is not None) == (
        "publicity", "组干〔2026〕15号", True)
    assert await db.scalar(select(Certificate.code).where(Certificate.record_id == award.id)) is None
    assert await db.scalar(select(Notification).where(Notification.kind == "record.approved"))

    # the 公示 ends: every record of the project is in force, the award with its certificate
    await in_force(db, clock, pid, day)
    await fresh(db)
    assert {r.status for r in await records_of(db, pid)} == {"effective"}
    code = await db.scalar(select(Certificate.code).where(Certificate.record_id == award.id))
    assert code is not None and len(code) == 12
    promotion = next(r for r in records if r.record_type == "priority_promotion")
    assert await db.scalar(select(Certificate).where(Certificate.record_id == promotion.id)) is None
    actions = set((await db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "record",
                                                                    AuditEvent.object_id == str(award.id)))).all())
    assert {"record.propose", "record.approve", "record.take_effect", "record.certificate"} <= actions

    # the lead's dossier shows both, with the certificate
    lead = await as_user(app, "lead1")
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
