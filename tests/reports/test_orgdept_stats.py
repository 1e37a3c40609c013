"""The 组织部门's statistics (三个优先, issue 20 §4): only the department's scope counts, the shares
among the promoted and the awarded sit beside those among the bidders, the list of cadres to
consider leaves out those already promoted or awarded, only the 组织部门 gets in, the workbook
has its sheets, and the page runs the same number of statements with more data."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role, User
from arena.bids.models import Bid, BidMember, BidStatus, MemberStatus
from arena.challenges.models import Challenge, ChallengeStatus
from arena.execution.models import Assessment, Milestone, ProgressReport, Project
from arena.records.enums import RecordStatus, RecordType
from arena.records.models import Record
from arena.reports import orgdept
from arena.reports.orgdept_queries import Group, GroupCount
from arena.units.models import Cadre, OrgDepartment, OrgDepartmentMember, Rank, Unit
from tests.challenges.public_factories import make_challenge
from tests.conftest import Browser, as_user, make_client
from tests.factories import make_cadre, make_unit, make_user

SUBMITTED = datetime(2026, 3, 10, 2, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class World:
    organizer: User
    a_unit: Unit
    b_unit: Unit
    a_id: int
    b_id: int


async def _department(db: AsyncSession, name: str, unit: Unit, *members: User) -> OrgDepartment:
    department = OrgDepartment(name=name, unit_id=unit.id)
    db.add(department)
    await db.flush()
    db.add_all([OrgDepartmentMember(org_department_id=department.id, user_id=u.id) for u in members])
    await db.flush()
    return department


async def _bid(db: AsyncSession, challenge: Challenge, lead: Cadre, *members: Cadre,
               status: BidStatus = BidStatus.SUBMITTED) -> Bid:
    bid = Bid(challenge_id=challenge.id, lead_id=lead.id, status=status.value, submitted_at=SUBMITTED,
              number=f"{challenge.number}-{lead.code}")
    db.add(bid)
    await db.flush()
    db.add_all([BidMember(bid_id=bid.id, challenge_id=challenge.id, cadre_id=m.id,
                          status=MemberStatus.CONFIRMED.value) for m in members])
    await db.flush()
    return bid


async def _project(db: AsyncSession, bid: Bid, organizer: User, grade: str | None = None) -> Project:
    project = Project(challenge_id=bid.challenge_id, bid_id=bid.id, lead_id=bid.lead_id,
                      status="concluded" if grade else "active", awarded_at=utc(2026, 4, 1), awarded_by_id=organizer.id,
                      commitment_content="{}", commitment_sha256="0" * 64, grade=grade,
                      concluded_at=utc(2026, 10, 1) if grade else None)
    db.add(project)
    await db.flush()
    return project


_records = iter(range(1, 10_000))


def _record(project: Project, cadre: Cadre, kind: RecordType, status: RecordStatus) -> Record:
    return Record(proposal_key=f"orgdept-test:{next(_records)}", cadre_id=cadre.id, challenge_id=project.challenge_id,
                  project_id=project.id, trigger="grade_excellent", recipient="lead", record_type=kind.value,
                  proposed_type=kind.value, facts="{}", status=status.value, proposed_at=utc(2026, 10, 2))


async def _excellent_assessment(db: AsyncSession, project: Project, assessor: User, score: str = "95") -> None:
    milestone = Milestone(project_id=project.id, position=1, title="平台上线", due_on=date(2026, 9, 1))
    db.add(milestone)
    await db.flush()
    report = ProgressReport(project_id=project.id, milestone_id=milestone.id, seq=1, text="已上线", percent=100,
                            submitted_at=utc(2026, 8, 1), submitted_by_id=assessor.id, status="assessed")
    db.add(report)
    await db.flush()
    db.add(Assessment(report_id=report.id, project_id=project.id, assessor_id=assessor.id, assessor_role="organizer",
                      verdict="completed", score=Decimal(score), assessed_at=utc(2026, 8, 2)))
    await db.flush()


async def arrange(db: AsyncSession) -> World:
    """Department A (unit A with child A1) and department B (unit B), with known figures for A:

    bidders c1 (young, 一线; confirmed member m1), c2 (一线), c3 on challenge 1 (owner A1), c2 again on
    challenge 2 (owner A), c4 (young) on challenge 3 (owner A1); c1 wins 优秀 and has an effective
    award, m1 only a proposed promotion; c2 wins 良好 on challenge 2 and has an effective promotion;
    c4's project is active with an excellent assessment. In B: b1 wins 优秀 on challenge 4 (owner B).
    """
    organizer = await make_user(db, "sponsor", Role.ORGANIZER, name="科技局")
    a_unit = await make_unit(db, "甲区")
    a1 = await make_unit(db, "甲区乙镇", parent=a_unit)
    b_unit = await make_unit(db, "丙县")
    orga = await make_user(db, "orga", Role.ORG_DEPT, name="甲区委组织部")
    orgb = await make_user(db, "orgb", Role.ORG_DEPT, name="丙县委组织部")
    both = await make_user(db, "orgboth", Role.ORG_DEPT, name="两地")
    await make_user(db, "orgnone", Role.ORG_DEPT, name="未加入")
    a = await _department(db, "中共甲区委组织部", a_unit, orga, both)
    b = await _department(db, "中共丙县委组织部", b_unit, orgb, both)

    c1 = await make_cadre(db, a1, name="青一线", birth_date=date(1995, 1, 1), frontline=True, rank=Rank.DEPUTY_SECTION)
    c2 = await make_cadre(db, a1, name="老一线", birth_date=date(1980, 1, 1), frontline=True)
    c3 = await make_cadre(db, a_unit, name="老机关", birth_date=date(1980, 1, 1))
    m1 = await make_cadre(db, a1, name="队员甲", birth_date=date(1985, 1, 1))
    c4 = await make_cadre(db, a1, name="青考核", birth_date=date(1998, 1, 1))
    b1 = await make_cadre(db, b_unit, name="丙县能人", birth_date=date(1990, 1, 1))

    one = await make_challenge(db, organizer, title="甲镇数字治理", owner_unit=a1, status=ChallengeStatus.ACCEPTED,
                               published_at=utc(2026, 2, 1))
    two = await make_challenge(db, organizer, title="甲区营商环境", owner_unit=a_unit,
                               status=ChallengeStatus.ACCEPTED, published_at=utc(2026, 2, 2))
    three = await make_challenge(db, organizer, title="甲镇垃圾分类", owner_unit=a1,
                                 status=ChallengeStatus.EXECUTING, published_at=utc(2025, 5, 1))
    four = await make_challenge(db, organizer, title="丙县乡村振兴", owner_unit=b_unit,
                                status=ChallengeStatus.ACCEPTED, published_at=utc(2026, 2, 3))

    won1 = await _bid(db, one, c1, m1, status=BidStatus.WON)
    await _bid(db, one, c2)
    await _bid(db, one, c3)
    p1 = await _project(db, won1, organizer, "excellent")
    p2 = await _project(db, await _bid(db, two, c2, status=BidStatus.WON), organizer, "good")
    p3 = await _project(db, await _bid(db, three, c4, status=BidStatus.WON), organizer)
    await _excellent_assessment(db, p3, organizer)
    p4 = await _project(db, await _bid(db, four, b1, status=BidStatus.WON), organizer, "excellent")
    db.add_all([
        _record(p1, c1, RecordType.AWARD_RESPONSIBILITY, RecordStatus.EFFECTIVE),
        _record(p1, m1, RecordType.PRIORITY_PROMOTION, RecordStatus.PROPOSED),
        _record(p2, c2, RecordType.PRIORITY_PROMOTION, RecordStatus.EFFECTIVE),
        _record(p4, b1, RecordType.AWARD_INNOVATION, RecordStatus.REVOKED),
    ])
    await db.commit()
    return World(organizer, a_unit, b_unit, a.id, b.id)


def section(html: str, name: str) -> str:
    found = re.search(rf'<section class="card report-section" id="{name}".*?</section>', html, re.S)
    assert found, name
    return found.group(0)


def table_rows(html: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", html, re.S):
        cells = re.split(r"</t[hd]>\s*<td[^>]*>", row)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def facts(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))


def candidate_names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/dossiers/\d+">(.*?)</a></td>', section(html, "candidates"))


# --- pure ----------------------------------------------------------------------------------------------

def test_shares_among_the_promoted_and_awarded_sit_beside_those_among_the_bidders():
    rows = orgdept.share_rows({"bidders": GroupCount(8, 2, 3), "promoted": GroupCount(4, 1, 3),
                               "awarded": GroupCount(3, 3, 0)})
    assert [r.group for r in rows] == ["揭榜干部", "牵头揭榜干部", "挂帅干部", "验收通过负责人", "提拔使用", "表彰奖励", "问责"]
    by = {r.group: r for r in rows}
    assert (by["揭榜干部"].young_share, by["揭榜干部"].frontline_share) == (Decimal("0.25"), Decimal("0.375"))
    assert (by["提拔使用"].young_share, by["提拔使用"].frontline_share) == (Decimal("0.25"), Decimal("0.75"))
    assert (by["表彰奖励"].young_share, by["表彰奖励"].frontline_share) == (Decimal("1"), Decimal("0"))
    assert by["问责"].people == 0 and by["问责"].young_share is None  # shown as "—", not 0%


def test_a_breakdown_puts_the_most_bidders_first_or_follows_the_given_order():
    counts = {("bidders", "甲"): 1, ("bidders", "乙"): 3, ("promoted", "甲"): 1, ("awarded", "丙"): 2}
    found = orgdept.breakdown(counts)
    assert [label for label, _c in found.rows] == ["乙", "甲", "丙"]  # 丙: no bidder, awarded only
    assert found.column(Group.BIDDERS) == [3, 1, 0] and found.column(Group.PROMOTED) == [0, 1, 0]
    ordered = orgdept.breakdown(counts, ["甲", "乙"], {"甲": "一"})
    assert [label for label, _c in ordered.rows] == ["一", "乙", "丙"]


# --- the page ------------------------------------------------------------------------------------------

async def test_the_page_counts_only_the_challenges_of_the_departments_units(app, db):
    await arrange(db)
    browser = await as_user(app, "orga")
    response = await browser.get("/orgdept/stats")
    assert response.status_code == 200, response.text
    html = response.text
    assert "中共甲区委组织部" in html and "style=" not in html.split("<main", 1)[1]
    assert facts(section(html, "overview")) == {
        "范围内已发布榜单": "3", "已提交揭榜": "5", "挂帅项目": "3", "验收通过项目": "2", "其中验收优秀": "1",
        "已生效提拔使用记录": "1", "已生效表彰奖励记录": "1", "已生效问责记录": "0"}
    assert table_rows(section(html, "shares")) == [
        ["揭榜干部", "5", "2", "40.0%", "2", "40.0%"],
        ["牵头揭榜干部", "4", "2", "50.0%", "2", "50.0%"],
        ["挂帅干部", "3", "2", "66.7%", "2", "66.7%"],
        ["验收通过负责人", "2", "1", "50.0%", "2", "100.0%"],
        ["提拔使用", "1", "0", "0.0%", "1", "100.0%"],
        ["表彰奖励", "1", "1", "100.0%", "1", "100.0%"],
        ["问责", "0", "0", "—", "0", "—"],
    ]
    assert table_rows(section(html, "ranks")) == [["正科级", "4", "3", "2", "1", "1", "0", "0"],
                                                  ["副科级", "1", "1", "1", "1", "0", "1", "0"]]
    units = table_rows(section(html, "units"))
    assert units == [["甲区乙镇", "4", "3", "3", "2", "1", "1", "0"], ["甲区", "1", "1", "0", "0", "0", "0", "0"]]
    assert "丙县" not in html and "丙县能人" not in html
    assert 'role="img"' in section(html, "shares")


async def test_the_candidates_have_excellent_results_and_no_effective_promotion_or_award(app, db):
    await arrange(db)
    html = (await (await as_user(app, "orga")).get("/orgdept/stats")).text
    # c1 (优秀, effective award) and c2 (promoted) are out; m1 (a member of the 优秀 project with only a
    # proposed promotion) is in, first; c4 is in by an excellent assessment on a project not yet accepted
    assert candidate_names(html) == ["队员甲", "青考核"]
    rows = section(html, "candidates")
    assert "甲镇数字治理" in rows and "成员" in rows and "未验收" in rows
    assert '<span class="tag tag-blue">年轻干部</span>' in rows.split("青考核", 1)[1]


async def test_a_department_switch_shows_the_other_scope_and_a_foreign_one_is_ignored(app, db):
    world = await arrange(db)
    both = await as_user(app, "orgboth")
    html = (await both.get(f"/orgdept/stats?department={world.b_id}")).text
    assert '<select id="f-department" name="department">' in html
    assert candidate_names(html) == ["丙县能人"]  # a revoked award is no award
    assert facts(section(html, "overview"))["范围内已发布榜单"] == "1"
    default = (await both.get("/orgdept/stats")).text
    assert candidate_names(default) == ["丙县能人"]  # the first by name (中共丙… before 中共甲…)
    html = (await both.get(f"/orgdept/stats?department={world.a_id}")).text
    assert candidate_names(html) == ["队员甲", "青考核"]
    only_a = (await (await as_user(app, "orga")).get(f"/orgdept/stats?department={world.b_id}")).text
    assert "丙县能人" not in only_a and "中共甲区委组织部" in only_a


async def test_the_year_filter_counts_the_challenges_published_that_year(app, db):
    await arrange(db)
    html = (await (await as_user(app, "orga")).get("/orgdept/stats?year=2025")).text
    assert facts(section(html, "overview"))["范围内已发布榜单"] == "1"
    assert table_rows(section(html, "shares"))[0] == ["揭榜干部", "1", "1", "100.0%", "0", "0.0%"]
    assert candidate_names(html) == ["队员甲", "青考核"]  # the list ignores the year


async def test_nonsense_in_the_address_shows_the_default_page_not_an_error(app, db):
    await arrange(db)
    browser = await as_user(app, "orga")
    for query in ("department=abc&year=99999&page=zzz", "department=-1&year=&page=-5", "department=%00&page=999999"):
        response = await browser.get(f"/orgdept/stats?{query}")
        assert response.status_code == 200, query
        assert candidate_names(response.text) == ["队员甲", "青考核"], query
        assert (await browser.get(f"/orgdept/stats.xlsx?{query}")).status_code == 200, query


async def test_an_account_in_no_department_is_told_so(app, db):
    await arrange(db)
    browser = await as_user(app, "orgnone")
    response = await browser.get("/orgdept/stats")
    assert response.status_code == 200 and "尚未加入任何组织部门" in response.text
    assert (await browser.get("/orgdept/stats.xlsx")).status_code == 404


async def test_only_the_organization_department_may_see_the_statistics(app, db):
    world = await arrange(db)
    unit = world.a_unit
    cadre_user = await make_user(db, "cadreuser", Role.CADRE)
    await make_cadre(db, unit, cadre_user, name="普通干部")
    await make_user(db, "inspector1", Role.INSPECTOR)
    await make_user(db, "admin1", Role.ADMIN)
    await db.commit()
    expected = {"anonymous": 303, "sponsor": 403, "cadreuser": 403, "inspector1": 403, "admin1": 403, "orga": 200}
    wrong = []
    for who, status in expected.items():
        browser = Browser(make_client(app)) if who == "anonymous" else await as_user(app, who)
        for path in ("/orgdept/stats", "/orgdept/stats.xlsx"):
            response = await browser.get(path)
            if response.status_code != status:
                wrong.append(f"{who} GET {path}: {response.status_code}, expected {status}")
    assert not wrong, "\n".join(wrong)


async def test_the_workbook_has_the_overview_the_categories_and_the_candidates(app, db):
    world = await arrange(db)
    response = await (await as_user(app, "orga")).get(f"/orgdept/stats.xlsx?department={world.a_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概况", "分类统计", "应予考虑名单"]
    overview = [list(r) for r in book["概况"].iter_rows(values_only=True)]
    assert overview[1][:2] == ["组织部门", "中共甲区委组织部"]
    shares = next(r for r in overview if r[0] == "表彰奖励")
    assert shares[:6] == ["表彰奖励", 1, 1, 1, 1, 1]
    assert book["概况"].cell(row=overview.index(shares) + 1, column=4).number_format == "0.0%"
    categories = [list(r) for r in book["分类统计"].iter_rows(values_only=True)]
    assert categories[0][:3] == ["分类", "类别", "揭榜干部"]
    assert ["单位", "甲区乙镇", 4, 3, 3, 2, 1, 1, 0] in categories
    names = [r[0] for r in book["应予考虑名单"].iter_rows(min_row=2, values_only=True)]
    assert names == ["队员甲", "青考核"]


async def test_the_page_runs_the_same_number_of_statements_with_more_data(app, db, query_counter):
    world = await arrange(db)
    browser = await as_user(app, "orga")
    counts = []
    for round_ in range(2):
        with query_counter() as counter:
            assert (await browser.get("/orgdept/stats")).status_code == 200
        counts.append(counter.count)
        if round_ == 0:
            await _more_data(db, world)
    assert counts[0] == counts[1], counts
    with query_counter() as counter:
        assert (await browser.get("/orgdept/stats.xlsx")).status_code == 200
    first = counter.count
    await _more_data(db, world)
    with query_counter() as counter:
        assert (await browser.get("/orgdept/stats.xlsx")).status_code == 200
    assert counter.count == first


async def _more_data(db: AsyncSession, world: World) -> None:
    """More units, cadres, challenges, bids, projects and records in department A's scope."""
    await db.rollback()
    organizer = await db.get_one(User, world.organizer.id)
    parent = await db.get_one(Unit, world.a_unit.id)
    for n in range(3):
        unit = await make_unit(db, parent=parent)
        challenge = await make_challenge(db, organizer, owner_unit=unit, published_at=utc(2026, 3, n + 1))
        for k in range(3):
            cadre = await make_cadre(db, unit, name=f"干部{n}{k}", frontline=k % 2 == 0)
            member = await make_cadre(db, unit, name=f"成员{n}{k}")
            bid = await _bid(db, challenge, cadre, member)
            if k == 0:
                project = await _project(db, bid, organizer, "excellent")
                await _excellent_assessment(db, project, organizer)
                db.add(_record(project, cadre, RecordType.AWARD_RESPONSIBILITY, RecordStatus.EFFECTIVE))
    await db.commit()
