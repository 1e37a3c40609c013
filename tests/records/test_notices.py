"""任前公示 / 表彰公示: the public pages and notice PDF, objections in the window, the deciding
department's answers, taking effect (button and worker), the certificate only then, revocation
that /verify reports, the honour roll — and the objector's name nowhere but where it may be."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from arena.audit.models import AuditEvent
from arena.auth.models import Role, User
from arena.auth.service import actor_for
from arena.clock import DISPLAY_TZ
from arena.notify.models import Notification
from arena.records import notices
from arena.records.models import Certificate, Record, RecordObjection
from arena.units import orgdept
from arena.units.models import OrgDepartment
from tests.conftest import as_user, fresh, make_client
from tests.factories import make_user
from tests.records.notice_factories import (
    CONTACT,
    CONTACT_PHONE,
    DOCUMENT,
    SUPERVISION_PHONE,
    in_publicity,
)
from tests.review.factories import LEADS

OBJECTOR = "匿名异议人青鸾"  # a distinctive display name: it must appear nowhere public
SECRET_REASON = "该同志验收材料存在问题，详见附件甲乙丙。"


async def _objector(db) -> None:
    await make_user(db, "whistle_q", name=OBJECTOR)
    await db.commit()


async def _past_end(db, clock, record_id: int) -> None:
    await fresh(db)
    record = await db.get(Record, record_id)
    clock.advance(record.publicity_ends_at - clock.now() + timedelta(minutes=1))


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


async def test_anyone_reads_the_notice_and_a_logged_in_user_objects_only_during_the_period(app, db, clock):
    notice = await in_publicity(db, clock)
    await _objector(db)
    visitor = make_client(app)
    listing = await visitor.get("/publicity/records")
    assert listing.status_code == 200 and LEADS[0] in listing.text and DOCUMENT in listing.text
    page = await visitor.get(f"/publicity/records/{notice.record_id}")
    assert page.status_code == 200 and "表彰公示" in page.text and "担当作为奖" in page.text
    assert SUPERVISION_PHONE in page.text and CONTACT in page.text and CONTACT_PHONE in page.text
    assert f"/login?next=/publicity/records/{notice.record_id}" in page.text  # anonymous: a login link
    assert (await visitor.get("/publicity/records/999999")).status_code == 404
    assert (await visitor.get("/publicity/records/abc")).status_code in (400, 404)

    whistle = await as_user(app, "whistle_q")
    empty = await whistle.post(f"/publicity/records/{notice.record_id}/objections", {"reason": "  "})
    assert empty.status_code == 400 and "请写明异议的事实和理由" in empty.text
    filed = await whistle.post(f"/publicity/records/{notice.record_id}/objections", {"reason": SECRET_REASON})
    assert filed.status_code == 303
    await fresh(db)
    objection = await db.scalar(select(RecordObjection).where(RecordObjection.record_id == notice.record_id))
    assert (objection.seq, objection.status, objection.reason) == (1, "open", SECRET_REASON)
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "record.object"))
    assert event.summary == '{"seq":1}' or OBJECTOR not in event.summary  # never who, in the summary
    told = (await db.scalars(select(Notification).where(Notification.kind == "record.objection"))).all()
    assert told and all(OBJECTOR not in n.title + n.body for n in told)
    mine = await whistle.get(f"/publicity/records/{notice.record_id}")
    assert SECRET_REASON in mine.text  # the objector reads their own objection

    await _past_end(db, clock, notice.record_id)
    whistle = await as_user(app, "whistle_q")  # a new login: the old session has timed out
    late = await whistle.post(f"/publicity/records/{notice.record_id}/objections", {"reason": "迟到的异议"})
    assert late.status_code == 400 and "不在公示期内" in late.text


async def test_the_list_a_visitor_reads_follows_objections_and_the_end_of_the_period(app, db, clock):
    """The list is kept for anonymous visitors (arena.web.public_cache): a write shows at their
    next request, and so does the 公示 ending, with no write at all."""
    notice = await in_publicity(db, clock)
    await _objector(db)
    visitor = make_client(app)
    before = (await visitor.get("/publicity/records")).text
    assert "公示中" in before and "0 件（已答复 0）" in before
    whistle = await as_user(app, "whistle_q")
    assert (await whistle.post(f"/publicity/records/{notice.record_id}/objections",
                               {"reason": SECRET_REASON})).status_code == 303
    assert "1 件（已答复 0）" in (await visitor.get("/publicity/records")).text
    await _past_end(db, clock, notice.record_id)
    after = (await visitor.get("/publicity/records")).text
    assert "公示期满" in after and "公示中" not in after
    assert OBJECTOR not in after and SECRET_REASON not in after


async def test_an_objection_filed_while_another_is_uncommitted_waits_and_takes_the_next_number(app, db, clock):
    """Without the record's row lock the second would read the same last number and fail on the
    unique (record, seq) once the first commits: a 500 for a citizen objecting."""
    import asyncio

    if db.bind.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: the second objection waits for the first by itself")
    notice = await in_publicity(db, clock)
    await make_user(db, "whistle_a")
    await make_user(db, "whistle_b")
    await db.commit()
    actors = [actor_for(await db.scalar(select(User).where(User.username == name))) for name in ("whistle_a", "whistle_b")]
    sessions = app.state.session_maker
    async with sessions() as first, sessions() as second:
        one = await notices.file_objection(first, clock, actors[0], notice.record_id, "异议一")
        waiting = asyncio.ensure_future(notices.file_objection(second, clock, actors[1], notice.record_id, "异议二"))
        await asyncio.sleep(0.3)
        assert not waiting.done()  # held by the lock until the first commits
        await first.commit()
        other = await asyncio.wait_for(waiting, 10)
        await second.commit()
    assert (one.seq, other.seq) == (1, 2)


async def test_the_objector_appears_on_no_public_page_nor_to_the_organizer_or_the_cadre(app, db, clock):
    notice = await in_publicity(db, clock)
    await _objector(db)
    whistle = await as_user(app, "whistle_q")
    assert (await whistle.post(f"/publicity/records/{notice.record_id}/objections",
                               {"reason": SECRET_REASON})).status_code == 303
    visitor = make_client(app)
    for url in ("/publicity/records", f"/publicity/records/{notice.record_id}", "/honours", "/"):
        response = await visitor.get(url)
        assert OBJECTOR not in response.text and "whistle_q" not in response.text, url
    pdf = await visitor.get(f"/publicity/records/{notice.record_id}/notice.pdf")
    assert pdf.status_code == 200 and OBJECTOR not in _pdf_text(pdf.content)
    # the organizer and the cadre, on whatever record pages they may open
    for username in ("org", "lead1"):
        browser = await as_user(app, username)
        for url in (f"/records/{notice.record_id}", f"/my/records/{notice.record_id}", "/dossier",
                    f"/publicity/records/{notice.record_id}", "/notifications"):
            response = await browser.get(url)
            assert OBJECTOR not in response.text and "whistle_q" not in response.text, (username, url)
    # the audit log: ■■ for an admin; the inspector sees who
    await make_user(db, "adm", Role.ADMIN)
    await make_user(db, "insp_t", Role.INSPECTOR)
    await db.commit()
    inspector_log = (await (await as_user(app, "insp_t")).get("/audit?action=record.object")).text
    assert OBJECTOR in inspector_log
    admin_log = (await (await as_user(app, "adm")).get("/audit?action=record.object")).text
    assert "record.object" in admin_log or "对结果运用公示提出异议" in admin_log
    assert OBJECTOR not in admin_log
    # the deciding department's panel names the objector; the organizer's does not
    await fresh(db)
    record = await db.get(Record, notice.record_id)
    for username, named in (("orgdept_t", True), ("org", False), ("lead1", False)):
        actor = actor_for(await db.scalar(select(User).where(User.username == username)))
        panel = await notices.panel(db, clock, actor, record, await orgdept.member_of(db, actor))
        assert [v.objector for v in panel.objections] == ([OBJECTOR] if named else [None]), username
    department = await as_user(app, "orgdept_t")
    page = await department.get(f"/records/{notice.record_id}")
    if page.status_code == 200 and "objections" in page.text:  # the decision flow's page includes ours
        assert OBJECTOR in page.text


async def test_take_effect_waits_for_the_end_and_every_answer_and_only_then_certifies(app, db, clock):
    notice = await in_publicity(db, clock)
    await _objector(db)
    whistle = await as_user(app, "whistle_q")
    await whistle.post(f"/publicity/records/{notice.record_id}/objections", {"reason": SECRET_REASON})
    department = await as_user(app, "orgdept_t")
    early = await department.post(f"/records/{notice.record_id}/take-effect")
    assert early.status_code == 400 and "期满后才能生效" in early.text
    await _past_end(db, clock, notice.record_id)
    department = await as_user(app, "orgdept_t")
    waiting = await department.post(f"/records/{notice.record_id}/take-effect")
    assert waiting.status_code == 400 and "1 件异议未答复" in waiting.text
    await fresh(db)
    assert await db.scalar(select(Certificate).where(Certificate.record_id == notice.record_id)) is None
    objection = await db.scalar(select(RecordObjection).where(RecordObjection.record_id == notice.record_id))

    # the answer needs a chosen outcome and a reply
    url = f"/records/{notice.record_id}/objections/{objection.id}/answer"
    bad = await department.post(url, {"outcome": "", "reply": ""})
    assert bad.status_code == 400 and "请选择异议是否成立" in bad.text and "请填写答复意见" in bad.text
    assert 'value="dismissed" checked' not in bad.text and 'value="upheld" checked' not in bad.text
    assert (await department.post(url, {"outcome": "dismissed", "reply": "经核实，材料真实。"})).status_code == 303
    again = await department.post(url, {"outcome": "dismissed", "reply": "再答一次"})
    assert again.status_code == 400

    assert (await department.post(f"/records/{notice.record_id}/take-effect")).status_code == 303
    await fresh(db)
    record = await db.get(Record, notice.record_id)
    assert record.status == "effective" and record.effective_at == clock.now()
    certificate = await db.scalar(select(Certificate).where(Certificate.record_id == notice.record_id))
    assert certificate is not None
    actions = set((await db.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == str(notice.record_id), AuditEvent.object_type == "record"))).all())
    assert {"record.object", "record.answer", "record.take_effect", "record.certificate"} <= actions
    answered = await db.scalar(select(Notification).where(Notification.kind == "record.objection_answered"))
    assert answered is not None and "经核实，材料真实。" in answered.body
    assert await db.scalar(select(Notification).where(Notification.kind == "record.effective",
                                                       Notification.recipient_id == notice.lead_user_id))
    verified = await make_client(app).get(f"/verify/{certificate.code}")
    assert verified.status_code == 200 and "真实有效" in verified.text
    public = await make_client(app).get(f"/publicity/records/{notice.record_id}")
    assert "1 件，已答复 1 件" in public.text and OBJECTOR not in public.text


async def test_an_upheld_objection_withdraws_the_record_with_its_reason_shown_publicly(app, db, clock):
    notice = await in_publicity(db, clock)
    await _objector(db)
    whistle = await as_user(app, "whistle_q")
    await whistle.post(f"/publicity/records/{notice.record_id}/objections", {"reason": SECRET_REASON})
    await fresh(db)
    objection = await db.scalar(select(RecordObjection).where(RecordObjection.record_id == notice.record_id))
    department = await as_user(app, "orgdept_t")
    reply = "经核实，验收材料存在重大出入。"
    assert (await department.post(f"/records/{notice.record_id}/objections/{objection.id}/answer",
                                  {"outcome": "upheld", "reply": reply})).status_code == 303
    await fresh(db)
    record = await db.get(Record, notice.record_id)
    assert record.status == "withdrawn" and reply in record.closed_reason and record.closed_at == clock.now()
    page = await make_client(app).get(f"/publicity/records/{notice.record_id}")
    assert "已撤回" in page.text and reply in page.text and OBJECTOR not in page.text
    assert await db.scalar(select(Certificate).where(Certificate.record_id == notice.record_id)) is None
    await _past_end(db, clock, notice.record_id)
    assert await notices.conclude_due(db, clock) == 0  # a withdrawn record never takes effect


async def test_the_department_withdraws_with_a_reason_and_others_get_not_found(app, db, clock):
    notice = await in_publicity(db, clock)
    department = await as_user(app, "orgdept_t")
    empty = await department.post(f"/records/{notice.record_id}/withdraw", {"withdraw_reason": ""})
    assert empty.status_code == 400 and "请写明撤回的理由" in empty.text
    await make_user(db, "orgdept_other", Role.ORG_DEPT)
    await db.commit()
    other = await as_user(app, "orgdept_other")  # holds the role but acts for no department covering the cadre
    assert (await other.post(f"/records/{notice.record_id}/withdraw", {"withdraw_reason": "x"})).status_code == 404
    assert (await other.post(f"/records/{notice.record_id}/take-effect")).status_code == 404
    organizer = await as_user(app, "org")
    assert (await organizer.post(f"/records/{notice.record_id}/withdraw",
                                 {"withdraw_reason": "x"})).status_code in (403, 404)
    ok = await department.post(f"/records/{notice.record_id}/withdraw", {"withdraw_reason": "本人申请不再参评。"})
    assert ok.status_code == 303
    page = await make_client(app).get(f"/publicity/records/{notice.record_id}")
    assert "已撤回：本人申请不再参评。" in page.text


async def test_the_worker_makes_ended_notices_effective_once_every_objection_is_answered(app, db, clock):
    from arena.worker import run_pass

    notice = await in_publicity(db, clock)
    await _objector(db)
    whistle = await as_user(app, "whistle_q")
    await whistle.post(f"/publicity/records/{notice.record_id}/objections", {"reason": SECRET_REASON})
    await _past_end(db, clock, notice.record_id)
    await fresh(db)
    assert await notices.conclude_due(db, clock) == 0  # an objection is open
    await db.rollback()
    objection = await db.scalar(select(RecordObjection).where(RecordObjection.record_id == notice.record_id))
    department = await as_user(app, "orgdept_t")
    assert (await department.post(f"/records/{notice.record_id}/objections/{objection.id}/answer",
                                  {"outcome": "dismissed", "reply": "不成立。"})).status_code == 303
    await fresh(db)
    await run_pass(app.state.session_maker, clock, None)
    await fresh(db)
    record = await db.get(Record, notice.record_id)
    assert record.status == "effective"
    assert await db.scalar(select(Certificate).where(Certificate.record_id == notice.record_id))
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "record.take_effect"))
    assert event is not None and event.actor_id is None  # the system
    assert await notices.conclude_due(db, clock) == 0  # once


async def test_a_revoked_award_verifies_as_revoked_with_when_and_why_and_leaves_the_honour_roll(app, db, clock):
    notice = await in_publicity(db, clock)
    await _past_end(db, clock, notice.record_id)
    visitor = make_client(app)
    assert LEADS[0] not in (await visitor.get("/honours")).text  # not before it takes effect
    department = await as_user(app, "orgdept_t")
    assert (await department.post(f"/records/{notice.record_id}/take-effect")).status_code == 303
    honours = await visitor.get("/honours")
    assert honours.status_code == 200 and LEADS[0] in honours.text and "担当作为奖" in honours.text
    assert "优秀" in honours.text  # what was achieved: the acceptance grade
    await fresh(db)
    code = await db.scalar(select(Certificate.code).where(Certificate.record_id == notice.record_id))
    issued = await department.get(f"/certificates/{code}.pdf")
    assert issued.status_code == 200 and "已撤销" not in _pdf_text(issued.content)
    issuer = (await db.get(OrgDepartment, notice.department_id)).name
    assert issuer in _pdf_text(issued.content).replace(" ", "")  # in the name of the department that decided

    empty = await department.post(f"/records/{notice.record_id}/revoke", {"revoke_reason": ""})
    assert empty.status_code == 400 and "请写明撤销的理由" in empty.text
    clock.advance(timedelta(days=3))
    department = await as_user(app, "orgdept_t")
    why = "经查，该项目实绩存在弄虚作假。"
    assert (await department.post(f"/records/{notice.record_id}/revoke", {"revoke_reason": why})).status_code == 303
    await fresh(db)
    record = await db.get(Record, notice.record_id)
    assert (record.status, record.closed_reason, record.closed_at) == ("revoked", why, clock.now())
    verified = await visitor.get(f"/verify/{code}")
    assert verified.status_code == 200 and "已撤销" in verified.text and why in verified.text
    assert "真实有效" not in verified.text
    assert clock.now().astimezone(DISPLAY_TZ).strftime("%Y-%m-%d") in verified.text
    assert LEADS[0] not in (await visitor.get("/honours")).text
    assert "已撤销" in (await visitor.get(f"/publicity/records/{notice.record_id}")).text
    printed = _pdf_text((await department.get(f"/certificates/{code}.pdf")).content).replace("\n", "").replace(" ", "")
    assert "已撤销" in printed and "证书不再有效" in printed and why in printed  # a printed copy says so too
    assert await db.scalar(select(Notification).where(Notification.kind == "record.revoked"))


async def test_the_notice_pdf_is_an_official_document_with_the_number_and_the_contacts(app, db, clock):
    notice = await in_publicity(db, clock, record_type="priority_promotion")
    pdf = await make_client(app).get(f"/publicity/records/{notice.record_id}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content).replace(" ", "").replace("\n", "")
    assert "任前公示" in text and DOCUMENT in text and "监督电话" in text and SUPERVISION_PHONE in text
    assert CONTACT in text and "通讯地址" in text and LEADS[0] in text and "年" in text and "日" in text


async def test_the_public_lists_load_in_a_fixed_number_of_queries(app, db, clock, query_counter):
    from arena.records.models import RecordStatus, RecordType
    from tests.factories import make_cadre, make_unit
    from tests.units.orgdept_factories import make_department, make_record

    unit = await make_unit(db)
    cadre = await make_cadre(db, unit, name="计数干部")
    department = await make_department(db, unit)
    today = clock.now().astimezone(DISPLAY_TZ).date()

    async def arrange(n: int) -> None:
        for i in range(n):
            status = RecordStatus.EFFECTIVE if i % 2 else RecordStatus.PUBLICITY
            await make_record(db, cadre, clock.now(), status=status, record_type=RecordType.AWARD_INNOVATION,
                              department=department, document_number=f"组干〔2026〕{i}号", document_date=today,
                              publicity_first_day=today, publicity_last_day=today,
                              publicity_ends_at=clock.now() + timedelta(days=1), effective_at=clock.now())
        await db.commit()

    visitor = make_client(app)
    await arrange(2)
    with query_counter() as few:
        assert (await visitor.get("/publicity/records")).status_code == 200
        assert (await visitor.get("/honours")).status_code == 200
    await arrange(40)
    with query_counter() as many:
        listing = await visitor.get("/publicity/records")
        assert (await visitor.get("/honours")).status_code == 200
    assert many.count == few.count
    assert "第 1 / 3 页，共 42 条" in listing.text
