"""仅限基层一线干部: the frontline rule, as a pure table and through the organizer's form, the
public page, the announcement, a refused bid and the organizer's qualification page."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from arena.auth.models import Role
from arena.bids.models import Bid, BidStatus
from arena.challenges.eligibility import Reader, Rule, check_eligibility
from arena.challenges.models import Challenge
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.challenges.test_eligibility import cadre, rules
from tests.challenges.test_organizer_pages import complete_form
from tests.conftest import as_user
from tests.factories import make_cadre, make_field, make_unit, make_user

TABLE = [
    # require, frontline cadre, reader -> passed, explanation
    (True, True, Reader.BIDDER, True, "本榜仅限基层一线干部，你已登记为基层一线干部"),
    (True, False, Reader.BIDDER, False, "本榜仅限基层一线干部，你未登记为基层一线干部（如有误请联系系统管理员）"),
    (True, True, Reader.ORGANIZER, True, "本榜仅限基层一线干部，揭榜人已登记为基层一线干部"),
    (True, False, Reader.ORGANIZER, False, "本榜仅限基层一线干部，揭榜人未登记为基层一线干部"),
]


@pytest.mark.parametrize(("require", "frontline", "reader", "passed", "explanation"), TABLE)
def test_frontline_rule_passes_exactly_a_frontline_cadre_and_says_so_to_each_reader(
        require, frontline, reader, passed, explanation):
    verdict = check_eligibility(rules(require_frontline=require), cadre(frontline=frontline), NOW, reader)

    result = verdict.result(Rule.FRONTLINE)
    assert (result.passed, result.explanation, result.label) == (passed, explanation, "基层一线")
    assert verdict.eligible is passed
    assert [r.rule for r in verdict.results][-2:] == [Rule.FRONTLINE, Rule.WINDOW]


def test_a_challenge_without_the_rule_does_not_list_it_and_lets_anyone_pass():
    verdict = check_eligibility(rules(), cadre(frontline=False), NOW)
    assert verdict.eligible and Rule.FRONTLINE not in [r.rule for r in verdict.results]


async def test_frontline_rule_from_the_organizers_form_to_the_bid_and_qualification(app, db, tmp_path):
    organizer = await make_organizer(db, "org")
    unit = await make_unit(db, "姜庄镇人民政府")
    field = await make_field(db, "乡村发展")
    office = await make_user(db, "office", Role.CADRE)
    await make_cadre(db, unit, office, name="坐办公室", frontline=False)
    village = await make_user(db, "village", Role.CADRE)
    village_cadre = await make_cadre(db, unit, village, name="驻村书记", frontline=True)
    await db.commit()

    # The organizer ticks the rule; it is stored and comes back in the form.
    org = await as_user(app, "org")
    form = complete_form({"unit": unit, "field": field}, rank_min="", rank_max="", age_limit="",
                         require_frontline="1")
    assert (await org.post("/organizer/challenges/new", form)).status_code == 303
    drafted = await db.scalar(select(Challenge).order_by(Challenge.id.desc()).limit(1))
    assert drafted.require_frontline
    assert 'name="require_frontline" value="1" aria-describedby="require_frontline-hint" checked' in \
        (await org.get(f"/organizer/challenges/{drafted.id}/edit")).text

    challenge = await make_challenge(db, organizer, title="驻村帮扶", require_frontline=True,
                                     closes_at=NOW + timedelta(days=5))
    await db.commit()
    page = await org.get(f"/challenges/{challenge.id}")
    assert "仅限基层一线干部" in page.text
    if shutil.which("pdftotext"):
        from tests.challenges.test_announcement_pdf import pdf_text

        pdf = await org.get(f"/challenges/{challenge.id}/announcement.pdf")
        assert "仅限基层一线干部" in pdf_text(pdf.content, tmp_path)

    # A cadre not marked frontline is refused with the rule; a frontline cadre may bid.
    refused = await (await as_user(app, "office")).post(f"/challenges/{challenge.id}/bid")
    assert refused.status_code == 400 and "你未登记为基层一线干部" in refused.text
    assert await db.scalar(select(func.count()).select_from(Bid)) == 0
    assert (await (await as_user(app, "village")).post(f"/challenges/{challenge.id}/bid")).status_code == 303

    # Qualification re-checks it as of the submission: the admin has since unmarked the cadre.
    await db.rollback()  # the test session's snapshot predates the bid
    bid = await db.scalar(select(Bid))
    bid.status, bid.number, bid.submitted_at = BidStatus.SUBMITTED.value, "B-1", NOW
    challenge.bid_closes_at = NOW - timedelta(minutes=1)
    village_cadre.frontline = False
    await db.commit()
    assert (await org.post(f"/organizer/challenges/{challenge.id}/qualification/start")).status_code == 303
    review = await org.get(f"/organizer/challenges/{challenge.id}/qualification")
    assert "揭榜人未登记为基层一线干部" in review.text
