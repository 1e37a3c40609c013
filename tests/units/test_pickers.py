"""The people pickers (issue 22): cadres by name or staff number, experts by name, code or field;
at most ten matches; each role sees only what it may (a bidder never looks up the expert pool);
and the forms they sit in still take a code typed by hand, without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from arena.auth.models import Role
from arena.bids.models import BidMember
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.conftest import as_user, make_client
from tests.factories import make_cadre, make_expert, make_field, make_unit, make_user

DIGITS = "一二三四五六七八九十壹贰"


def picked(html: str) -> list[str]:
    """The codes the fragment offers, in order."""
    return re.findall(r'data-pick-value="([^"]+)"', html)


async def test_pickers_match_by_name_code_and_field_and_show_each_role_only_what_it_may(app, db, query_counter):
    unit = await make_unit(db, "青山县人民政府")
    rural = await make_field(db, "乡村发展")
    await make_organizer(db, "org")
    await make_user(db, "exp", Role.EXPERT)
    lead_user = await make_user(db, "lead", Role.CADRE)
    await make_cadre(db, unit, lead_user, name="张伟")
    mate = await make_cadre(db, unit, name="李强")
    for digit in DIGITS:
        await make_cadre(db, unit, name=f"王{digit}")
    chen = await make_expert(db, unit, await make_user(db, "chen", Role.EXPERT), name="陈国华", fields=[rural])
    zhou = await make_expert(db, unit, name="周明哲")  # no account: never an assessor
    await db.commit()
    org, lead, expert = (await as_user(app, "org"), await as_user(app, "lead"), await as_user(app, "exp"))

    # cadres: by part of the name, by staff number (any case), as htmx sends it (the input's own name)
    found = await lead.get("/pick/cadres?q=李")
    assert found.status_code == 200 and picked(found.text) == [mate.code]
    assert "青山县人民政府" in found.text and "1990" not in found.text and "科长" not in found.text
    assert picked((await lead.get(f"/pick/cadres?q={mate.code.lower()}")).text) == [mate.code]
    assert picked((await lead.get("/pick/cadres?field=member_code&member_code=李")).text) == [mate.code]
    assert 'data-pick-for="f-member_code"' in (await lead.get("/pick/cadres?field=member_code&member_code=李")).text
    with query_counter() as counter:
        many = await org.get("/pick/cadres?q=王", headers={"HX-Request": "true"})
    assert len(picked(many.text)) == 10 and "显示前 10 个匹配" in many.text
    assert counter.count <= 4, counter.statements  # session, actor, the matches (one statement)
    nothing = await org.get("/pick/cadres?q=%25_")  # LIKE's wildcards are text
    assert picked(nothing.text) == [] and "没有找到" in nothing.text
    assert picked((await org.get("/pick/cadres?q=")).text) == []

    # experts: by name, code and field, for organizers; an assessor needs an account
    assert picked((await org.get("/pick/experts?q=陈")).text) == [chen.code]
    by_field = await org.get("/pick/experts?q=乡村")
    assert picked(by_field.text) == [chen.code] and "乡村发展" in by_field.text
    assert picked((await org.get(f"/pick/experts?q={zhou.code}")).text) == [zhou.code]
    assert picked((await org.get(f"/pick/experts?q={zhou.code}&account=1")).text) == []

    # blind review: a bidder (or an expert) cannot look up the pool, and is not told it exists
    for browser in (lead, expert):
        refused = await browser.get("/pick/experts?q=陈")
        assert refused.status_code == 404 and "陈国华" not in refused.text
    assert (await expert.get("/pick/cadres?q=李")).status_code == 404
    assert (await org.get("/pick/people?q=陈")).status_code == 404
    async with make_client(app) as anonymous:
        assert (await anonymous.get("/pick/cadres?q=李")).status_code in (302, 303)


async def test_the_invitation_form_offers_the_picker_and_still_takes_a_typed_staff_number(app, db):
    organizer = await make_organizer(db, "org")
    unit = await make_unit(db, "青山县人民政府")
    await make_cadre(db, unit, await make_user(db, "lead", Role.CADRE), name="张伟")
    mate = await make_cadre(db, unit, await make_user(db, "mate", Role.CADRE), name="李强")
    challenge = await make_challenge(db, organizer, title="乡村振兴示范", closes_at=NOW + timedelta(days=5))
    await db.commit()
    lead = await as_user(app, "lead")
    started = await lead.post(f"/challenges/{challenge.id}/bid")
    bid_id = int(started.headers["location"].rsplit("/", 1)[1])
    page = (await lead.get(f"/bids/{bid_id}")).text
    form = page[page.index(f'action="/bids/{bid_id}/team"'):]
    form = form[:form.index("</form>")]
    assert 'name="member_code"' in form and 'hx-get="/pick/cadres"' in form and 'aria-live="polite"' in form
    assert '<label for="f-member_code">' in form

    # typed by hand (no JavaScript): a wrong number comes back with what was typed
    wrong = await lead.post(f"/bids/{bid_id}/team", {"member_code": "GB-NOPE", "member_duty": "技术负责人"})
    assert wrong.status_code == 400 and 'value="GB-NOPE"' in wrong.text and 'value="技术负责人"' in wrong.text
    assert (await lead.post(f"/bids/{bid_id}/team", {"member_code": mate.code, "member_duty": "技术"})).status_code == 303
    await db.rollback()
    assert await db.scalar(select(BidMember.cadre_id).where(BidMember.bid_id == bid_id)) == mate.id
