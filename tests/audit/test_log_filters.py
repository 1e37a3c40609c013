"""The inspector's audit log (issue 22): filters in the reader's words, readable rows, and the
filtered log exported with the chain fields so each hash recomputes offline — redacted as the
page is."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from arena.audit import service as audit
from arena.audit.chain import ChainEntry, event_hash
from arena.auth.models import Role
from arena.auth.service import actor_for
from tests.conftest import as_user
from tests.factories import make_user

OBJECTOR = "举报人青鸾"


async def _world(db, clock) -> None:
    """Events on two Beijing days: 2026-11-24 10:00 and 2026-11-25 01:30 (still 11-24 in UTC)."""
    await make_user(db, "insp", Role.INSPECTOR, name="监察员甲")
    await make_user(db, "adm", Role.ADMIN)
    await make_user(db, "outsider", Role.ORGANIZER)
    org = actor_for(await make_user(db, "org", Role.ORGANIZER, name="=HYPERLINK(\"http://x\")发榜人"))
    whistle = actor_for(await make_user(db, "whistle", Role.CADRE, name=OBJECTOR))
    await audit.record(db, clock, org, "organizer", "challenge.publish", "challenge", 5,
                       {"from": "draft", "to": "published", "reason": "按计划发布", "foo": "bar"})
    clock.advance(timedelta(hours=15, minutes=30))
    await audit.record(db, clock, org, "organizer", "challenge.award", "challenge", 5,
                       {"from": "publicity", "to": "executing"})
    await audit.record(db, clock, org, "organizer", "bid.win", "bid", 3, {})
    await audit.record(db, clock, whistle, "user", "objection.file", "objection", 1, {"challenge": 5, "evidence": 0})
    for _n in range(52):  # more than a page of logins, for the pager
        await audit.record(db, clock, whistle, "user", "auth.login", "user", whistle.user_id, {})
    await db.commit()


def _codes(page: str) -> set[str]:
    return {code for code in ("challenge.publish", "challenge.award", "bid.win", "objection.file", "auth.login")
            if f'<code class="small muted">{code}</code>' in page}


async def test_the_inspector_filters_the_log_by_name_date_actor_role_and_object_and_reads_each_row(app, db, clock,
                                                                                                 query_counter):
    await _world(db, clock)
    inspector = await as_user(app, "insp")

    async def codes(query: str) -> set[str]:
        page = await inspector.get("/audit?" + query)
        assert page.status_code == 200, page.text
        return _codes(page.text)

    # 挂帅, chosen from the list of every action's name, finds the award events.
    page = (await inspector.get("/audit")).text
    assert '<option value="挂帅">挂帅</option>' in page
    assert await codes("action=挂帅") == {"challenge.award", "bid.win"}
    assert await codes("action=objection.file") == {"objection.file"}  # a code still works
    # Beijing dates: 01:30 on 11-25 in Beijing is 11-24 in UTC.
    assert await codes("to=2026-11-24") == {"challenge.publish"}
    assert "challenge.publish" not in await codes("from=2026-11-25&to=2026-11-25")
    assert await codes("from=2026-11-25&action=挂帅") == {"challenge.award", "bid.win"}
    assert await codes("actor=发榜人") == {"challenge.publish", "challenge.award", "bid.win"}  # by name
    assert await codes("actor=whis&object_type=objection") == {"objection.file"}  # by login
    assert await codes("actor=whis") == {"auth.login"}
    assert await codes("role=organizer") == {"challenge.publish", "challenge.award", "bid.win"}
    assert await codes("object_type=challenge&object_id=5") == {"challenge.publish", "challenge.award"}
    assert await codes("object_type=bid") == {"bid.win"}

    # Rows: the actor's name, the summary in words; an empty summary shows nothing.
    page = (await inspector.get("/audit?object_type=challenge")).text
    assert "=HYPERLINK(&#34;http://x&#34;)发榜人" in page or "=HYPERLINK(&quot;http://x&quot;)发榜人" in page
    assert "<dt>状态</dt><dd>草稿 → 已发布</dd>" in page and "<dt>理由</dt><dd>按计划发布</dd>" in page
    assert "<dt>foo</dt><dd>bar</dd>" in page and "榜单 #5" in page
    assert '&#34;from&#34;' not in page and '"to":' not in page and ">{}<" not in page

    # A malformed date is said, given back, and not applied.
    bad = await inspector.get("/audit?from=2026-13-01&action=挂帅")
    assert bad.status_code == 400 and "请按 年-月-日 填写日期" in bad.text and 'value="2026-13-01"' in bad.text
    assert _codes(bad.text) == {"challenge.award", "bid.win"}
    assert (await inspector.get("/audit?actor=%00x&object_id=1&to=2026-11-01&from=2026-11-02")).status_code == 400

    # The pager keeps the filters.
    logins = (await inspector.get("/audit?action=登录&role=user")).text
    assert "page=2" in logins and "action=%E7%99%BB%E5%BD%95" in logins and "role=user" in logins

    # A full page of rows with their actors' names costs what a page of one row does.
    with query_counter() as one:
        await inspector.get("/audit?object_type=bid")
    with query_counter() as fifty:
        await inspector.get("/audit?action=登录")
    assert fifty.count == one.count


async def test_an_actor_search_never_finds_an_event_whose_actor_the_reader_may_not_see(app, db, clock):
    await _world(db, clock)
    admin = await as_user(app, "adm")
    assert _codes((await admin.get("/audit?actor=whistle&object_type=objection")).text) == set()
    assert _codes((await admin.get("/audit?object_type=objection")).text) == {"objection.file"}  # as ■■
    inspector = await as_user(app, "insp")
    assert _codes((await inspector.get("/audit?actor=whistle&object_type=objection")).text) == {"objection.file"}


def _recompute(record: dict[str, str]) -> str:
    plain = {k: v[1:] if v.startswith("'") else v for k, v in record.items()}
    return event_hash(ChainEntry(
        seq=int(plain["seq"]), occurred_at=datetime.strptime(plain["occurred_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        .replace(tzinfo=UTC), actor_id=int(plain["actor_id"]) if plain["actor_id"] else None,
        actor_name=plain["actor_name"], actor_role=plain["actor_role"], action=plain["action"],
        object_type=plain["object_type"], object_id=plain["object_id"], summary=plain["summary"],
        prev_hash=plain["prev_hash"]))


def _csv_records(body: bytes) -> list[dict[str, str]]:
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert "SHA-256" in lines[0][0]  # the note on how to check
    return [dict(zip(lines[1], line, strict=True)) for line in lines[2:]]


async def test_the_export_recomputes_with_the_chain_and_is_redacted_for_the_reader(app, db, clock):
    await _world(db, clock)
    inspector = await as_user(app, "insp")
    answer = await inspector.get("/audit/export.csv")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    records = _csv_records(answer.content)
    assert len(records) >= 56 and OBJECTOR in answer.content.decode("utf-8-sig")
    previous = None
    for record in records:  # oldest first: every hash recomputes and links to the one before
        assert _recompute(record) == record["hash"]
        assert previous is None or record["prev_hash"] == previous
        previous = record["hash"]
    award = next(r for r in records if r["action"] == "challenge.award")
    assert award["操作"] == "挂帅" and "状态：公示中 → 实施中" in award["变更摘要"]
    assert award["操作人"].startswith("'=HYPERLINK")  # formula-safe in CSV

    filtered = _csv_records((await inspector.get("/audit/export.csv?action=挂帅")).content)
    assert {r["action"] for r in filtered} == {"challenge.award", "bid.win"}

    book = load_workbook(io.BytesIO((await inspector.get("/audit/export.xlsx?action=挂帅")).content))
    sheet = book.active
    header = [c.value for c in sheet[2]]
    first = {h: "" if c.value is None else str(c.value) for h, c in zip(header, sheet[3], strict=True)}
    assert _recompute(first) == first["hash"]
    name_cell = sheet.cell(row=3, column=header.index("操作人") + 1)
    assert name_cell.data_type == "s" and name_cell.value.startswith("=HYPERLINK")  # text, never a formula

    # The admin's export withholds who filed the objection, as the admin's page does.
    admin = await as_user(app, "adm")
    text = (await admin.get("/audit/export.csv")).content.decode("utf-8-sig")
    filed = next(r for r in _csv_records(text.encode()) if r["action"] == "objection.file")
    assert filed["操作人"] == "■■" and filed["actor_name"] == "■■" and filed["actor_id"] == "■■"
    assert filed["可复算"] == "否" and OBJECTOR not in text
    admin_book = load_workbook(io.BytesIO((await admin.get("/audit/export.xlsx?action=objection.file")).content))
    cells = [str(c.value) for row in admin_book.active.iter_rows() for c in row if c.value is not None]
    assert "objection.file" in cells and not any("whistle" in c or OBJECTOR in c for c in cells)
    # An organizer does not read the log at all.
    organizer = await as_user(app, "outsider")
    assert (await organizer.get("/audit/export.csv")).status_code == 403
    assert (await organizer.get("/audit")).status_code == 403
