"""Every confidential value stays with the roles that may see it, in every output.

The demo is crawled as every role (pages, htmx fragments, PDFs, workbooks, stored files, the
API, the inbox) after planting, through the pages as a user would:
- a sealed sheet: an expert submits scores and a comment on the blind panel still scoring
  (challenge 12); only that expert may read them until the panel closes;
- a veto reason: the inspector vetoes a bid; only inspectors and the challenge's organizer may
  read it (DESIGN §3), not the bidder, not the admin;
- an objector: a cadre with a name found nowhere else files an objection in a running 公示;
  only the objector and the organizer who answers may link that name to it.
Then a fresh blind challenge is crawled as each of its experts: no bidder's name, unit, login
or e-mail address anywhere.

Each secret also names roles that must find it: that proves the crawl reached the pages where
a leak would show, so a planted leak makes the test fail (see the last test).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from litestar import Litestar
from sqlalchemy import select

from arena.actor import SYSTEM
from arena.api import service as api
from arena.app import create_app
from arena.audit import service as audit
from arena.auth.models import Role, User
from arena.auth.service import actor_for
from arena.bids.models import Bid, BidStatus, BidVersion, Vetting
from arena.challenges.models import Challenge, ChallengeStatus, Criterion
from arena.clock import Clock
from arena.review.models import Panel, PanelSeat, ScoreSheet
from arena.settings import Settings
from arena.units.models import Cadre, Expert
from tests.conftest import Browser, as_user, fresh, make_client
from tests.crawl import Crawl, crawl
from tests.factories import make_user
from tests.review.factories import LEADS, make_review
from tests.review.test_review_flow import _accept_all, drawn

SEALED_COMMENT = "封存评语甲乙丙PLANTEDSEAL"
VETO_REASON = "否决理由丁戊己PLANTEDVETO"
OBJECTOR_NAME = "异议人庚辛壬"
DIRECTORY = ("/admin/users", "/admin/people")  # the admin's lists of every account: not a disclosure


@dataclass
class Secret:
    label: str
    pattern: re.Pattern[str]
    may_see: frozenset[str]
    must_find: frozenset[str]
    exempt: tuple[str, ...] = ()

    def leaks(self, result: Crawl) -> list[str]:
        return [url for url, answer in result.answers.items()
                if self.pattern.search(answer.text) and not url.startswith(self.exempt)]


def number(value: str) -> re.Pattern[str]:
    """A score as a number of its own (not a part of a longer number or a hash)."""
    return re.compile(rf"(?<![\d.]){re.escape(value)}(?![\d])")


@pytest.fixture
async def demo_app(demo_template: Path, tmp_path: Path) -> Litestar:
    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    if (demo_template.parent / "files").exists():
        shutil.copytree(demo_template.parent / "files", tmp_path / "files")
    settings = Settings(env="development", database_url=f"sqlite+aiosqlite:///{target}",
                        secret_key="test-secret-" + "x" * 40, var_dir=tmp_path / "var",
                        files_dir=tmp_path / "files", demo_password="arena-demo")
    return create_app(settings, clock=Clock())


async def _username(db, user_id: int) -> str:
    return str(await db.scalar(select(User.username).where(User.id == user_id)))


async def _plant_sealed_sheet(app: Litestar, db) -> tuple[str, list[str], int]:
    """An expert on the open blind panel submits a sheet: scores with unusual decimals and a comment."""
    sheet = (await db.execute(
        select(ScoreSheet, Expert.user_id).join(Expert, Expert.id == ScoreSheet.expert_id)
        .join(Panel, Panel.id == ScoreSheet.panel_id).where(Panel.challenge_id == 12, Panel.closed_at.is_(None))
        .where(ScoreSheet.status.in_(("open", "draft"))).order_by(ScoreSheet.id))).first()
    assert sheet is not None, "the demo's challenge 12 has an unsubmitted sheet"
    row, user_id = sheet
    expert = await _username(db, user_id)
    criteria = (await db.scalars(select(Criterion).where(Criterion.challenge_id == 12, Criterion.kind == "bid")
                                 .order_by(Criterion.position))).all()
    values = {c.id: str(int(c.points * Decimal("0.6"))) for c in criteria}
    values[criteria[0].id] = f"{int(criteria[0].points) - 7}.3"  # one decimal place is allowed
    total = str(sum(Decimal(v) for v in values.values()))
    browser = await as_user(app, expert)
    form = {f"c-{cid}": value for cid, value in values.items()}
    response = await browser.post(f"/review/sheets/{row.id}", {
        **form, "comment": SEALED_COMMENT, "revision": str(row.revision), "action": "submit"})
    assert response.status_code == 303, response.text
    return expert, [values[criteria[0].id], total], row.panel_id


async def _plant_veto(app: Litestar, db) -> tuple[str, int]:
    """The inspector vetoes a submitted bid of a challenge under qualification."""
    await fresh(db)
    vetted = select(Vetting.bid_id)
    bid = (await db.execute(
        select(Bid).join(Challenge, Challenge.id == Bid.challenge_id)
        .where(Challenge.status.in_((ChallengeStatus.PUBLISHED.value, ChallengeStatus.QUALIFYING.value)),
               Challenge.bid_closes_at < Clock().now())
        .where(Bid.status == BidStatus.SUBMITTED.value, Bid.id.not_in(vetted)).order_by(Bid.id))).scalars().first()
    assert bid is not None, "the demo has a submitted bid to vet"
    inspector = await as_user(app, "inspector")
    response = await inspector.post(f"/inspector/vetting/{bid.challenge_id}/{bid.id}",
                                    {"decision": "veto", "reason": VETO_REASON})
    assert response.status_code == 303, response.text
    lead = await db.scalar(select(User.username).join(Cadre, Cadre.user_id == User.id)
                           .where(Cadre.id == bid.lead_id))
    return str(lead), bid.challenge_id


async def _plant_objection(app: Litestar, db) -> str:
    await fresh(db)
    await make_user(db, "objector", Role.CADRE, name=OBJECTOR_NAME)
    await db.commit()
    objector = await as_user(app, "objector")
    response = await objector.post("/results/14/objections", {"reason": "异议：评审打分存在明显偏差，请复核。"})
    assert response.status_code == 303, response.text
    return "objector"


async def _api_browser(app: Litestar, db) -> Browser:
    await fresh(db)
    admin = actor_for(await db.scalar(select(User).where(User.username == "admin")))
    issued = await api.issue(db, Clock(), admin, "人事系统", [value for value, _label in api.scope_options()])
    await db.commit()
    client = make_client(app)
    client.headers["Authorization"] = f"Bearer {issued.token}"
    return Browser(client)


async def _organizer_of(db, challenge_id: int) -> str:
    challenge = await db.get(Challenge, challenge_id)
    return await _username(db, challenge.organizer_id)


async def _panel_experts(db, challenge_id: int) -> list[str]:
    rows = await db.scalars(select(User.username).join(Expert, Expert.user_id == User.id)
                            .join(PanelSeat, PanelSeat.expert_id == Expert.id)
                            .join(Panel, Panel.id == PanelSeat.panel_id).where(Panel.challenge_id == challenge_id)
                            .order_by(PanelSeat.id))
    return list(dict.fromkeys(rows))


async def planted_demo(app: Litestar) -> tuple[list[Secret], dict[str, list[str]]]:
    async with app.state.session_maker() as db:
        expert, numbers, panel_id = await _plant_sealed_sheet(app, db)
        vetoed_lead, vetoed_challenge = await _plant_veto(app, db)
        objector = await _plant_objection(app, db)
        await fresh(db)
        owner12, owner14 = await _organizer_of(db, 12), await _organizer_of(db, 14)
        owner_vetoed = await _organizer_of(db, vetoed_challenge)
        panel = await _panel_experts(db, 12)
        outsider = next(f"expert{n}" for n in range(1, 17) if f"expert{n}" not in panel)
    sealed_roles = frozenset({expert})
    secrets = [
        Secret("sealed comment", re.compile(re.escape(SEALED_COMMENT)), sealed_roles, sealed_roles),
        *(Secret(f"sealed score {value}", number(value), sealed_roles, sealed_roles) for value in numbers),
        Secret("veto reason", re.compile(re.escape(VETO_REASON)), frozenset({"inspector", owner_vetoed}),
               frozenset({"inspector", owner_vetoed})),
        Secret("objector", re.compile(re.escape(OBJECTOR_NAME)), frozenset({objector, owner14, "inspector"}),
               frozenset({objector, owner14}), exempt=DIRECTORY),
    ]
    roles = dict.fromkeys(["anonymous", "admin", "organizer", "organizer2", "inspector", expert, *panel[:3],
                           outsider, vetoed_lead, "cadre4", objector, owner12, owner14, "api"])
    seeds = {role: ["/challenges/12", "/results/14", "/results/11", f"/review/panels/{panel_id}",
                    "/challenges/12/draw", "/audit", "/audit?action=sheet.submit", "/inbox", "/objections",
                    f"/organizer/challenges/{vetoed_challenge}/qualification",
                    f"/inspector/vetting/{vetoed_challenge}", "/organizer/challenges/14/publicity",
                    "/organizer/challenges/12/review"] for role in roles}
    seeds["api"] = ["/api/v1/challenges", "/api/v1/results", "/api/v1/records", "/api/v1/challenges/12",
                    "/api/v1/results/11", "/api/v1/results/14"]
    return secrets, seeds


async def crawl_all(app: Litestar, seeds: dict[str, list[str]]) -> list[Crawl]:
    results = []
    for role, start in seeds.items():
        if role == "anonymous":
            browser = Browser(make_client(app))
        elif role == "api":
            async with app.state.session_maker() as db:
                browser = await _api_browser(app, db)
        else:
            browser = await as_user(app, role)
        results.append(await crawl(browser, role, start))
        await browser.client.aclose()
    return results


def check(secrets: list[Secret], results: list[Crawl]) -> list[str]:
    problems = []
    for secret in secrets:
        for result in results:
            found = secret.leaks(result)
            if result.who not in secret.may_see and found:
                problems.append(f"{secret.label} reaches {result.who} at {found[:3]}")
            if result.who in secret.must_find and not found:
                problems.append(f"{secret.label}: the crawl as {result.who} never reached it (crawl too shallow)")
    return problems


async def test_no_confidential_value_of_the_demo_reaches_a_role_that_may_not_see_it(demo_app):
    secrets, seeds = await planted_demo(demo_app)
    results = await crawl_all(demo_app, seeds)
    assert sum(len(r.answers) for r in results) > 500
    assert check(secrets, results) == []


async def test_a_planted_leak_of_a_sealed_score_is_caught(demo_app):
    """The crawl is a real check: an audit summary carrying a sealed comment (the bug before
    sealing) is found in the inspector's and the admin's crawl."""
    secrets, _seeds = await planted_demo(demo_app)
    async with demo_app.state.session_maker() as db:
        await audit.record(db, Clock(), SYSTEM, "system", "sheet.submit", "score_sheet", 1,
                           {"comment": SEALED_COMMENT})
        await db.commit()
    results = await crawl_all(demo_app, {"inspector": ["/audit"], "admin": ["/audit"]})
    problems = check([s for s in secrets if s.label == "sealed comment"], results)
    assert any("reaches inspector" in p for p in problems)
    assert any("reaches admin" in p for p in problems)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_fresh_blind_challenge_names_no_bidder_to_its_experts_anywhere(app, db):
    """Crawled as each expert of the panel, with the plan naming the lead, their login and
    e-mail address: no name, unit, login or address in any page, fragment, file or PDF; the
    organizer's crawl finds the lead's name (so the crawl reaches the bids)."""
    review = await make_review(db, blind=True)
    lead = await db.scalar(select(User).where(User.username == "lead1"))
    lead.email = "ouyang.mh@qinghe.example.cn"
    version = await db.scalar(select(BidVersion).where(BidVersion.bid_id == review.bid_ids[0]))
    content = json.loads(version.content)
    content["plan"] += "联系人：lead1，邮箱 ouyang.mh@qinghe.example.cn。"
    version.content = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    await db.commit()
    _org, panel = await drawn(app, db, review)
    panel_id = panel.id
    experts = await _accept_all(app, db, panel_id, review)
    by_id = {v: k for k, v in review.experts.items()}
    identities = [*review.secret_words, "ouyang.mh@qinghe.example.cn"]
    secrets = [Secret(word, re.compile(re.escape(word)), frozenset({"org"}), frozenset()) for word in identities]
    secrets.append(Secret("login", re.compile(r"(?<![\w/])lead1(?!\w)"), frozenset({"org"}), frozenset()))
    secrets.append(Secret("lead's name", re.compile(re.escape(LEADS[0])), frozenset({"org"}), frozenset({"org"})))
    seeds = [f"/review/panels/{panel_id}", "/review", f"/challenges/{review.challenge_id}/draw", "/inbox"]
    results = []
    for expert_id, browser in experts.items():
        results.append(await crawl(browser, by_id[expert_id], seeds))
        await browser.client.aclose()
    organizer = await as_user(app, "org")
    results.append(await crawl(organizer, "org", [f"/organizer/challenges/{review.challenge_id}/qualification"]))
    # The profile lists every unit, to declare a conflict with one: a directory, not a bidder.
    for secret in secrets:
        secret.exempt = ("/review/profile",)
    assert all(len(r.answers) > 5 for r in results)
    assert check(secrets, results) == []
