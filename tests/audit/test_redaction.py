"""The audit log shows each reader only what their role may know (DESIGN §3), while the chain,
which hashes what is stored, verifies the same for everyone."""

from __future__ import annotations

from arena.audit import service as audit
from arena.auth.models import Role
from arena.auth.service import actor_for
from tests.conftest import as_user
from tests.factories import make_user


async def test_who_filed_an_objection_is_shown_to_the_inspector_and_withheld_from_the_admin(app, db, clock):
    objector = await make_user(db, "whistle_qingluan", Role.CADRE, name="举报人青鸾")
    await make_user(db, "insp", Role.INSPECTOR)
    await make_user(db, "adm", Role.ADMIN)
    await audit.record(db, clock, actor_for(objector), "user", "objection.file", "objection", 1,
                       {"challenge": 1, "publicity": 1, "seq": 1, "evidence": 0})
    await audit.record(db, clock, actor_for(objector), "user", "auth.login", "user", objector.id, {})
    await db.commit()
    admin_page = (await (await as_user(app, "adm")).get("/audit?action=objection.file")).text
    assert "objection.file" in admin_page and "whistle_qingluan" not in admin_page and "■■" in admin_page
    inspector_page = (await (await as_user(app, "insp")).get("/audit?action=objection.file")).text
    assert "whistle_qingluan" in inspector_page
    # Other events of the same person are not a secret in themselves.
    assert "whistle_qingluan" in (await (await as_user(app, "adm")).get("/audit?action=auth.login")).text
    assert (await audit.verify_chain(db)).ok


async def test_scores_in_sheet_events_from_before_sealing_are_never_shown(app, db, clock):
    expert = await make_user(db, "expert_old", Role.EXPERT)
    await make_user(db, "insp", Role.INSPECTOR)
    await audit.record(db, clock, actor_for(expert), "expert", "sheet.submit", "score_sheet", 7,
                       {"panel": 1, "bid": "P01", "total": "86.30", "scores": {"1": "27.70", "2": "58.60"}})
    await db.commit()
    page = (await (await as_user(app, "insp")).get("/audit?action=sheet.submit")).text
    assert "P01" in page and "86.30" not in page and "27.70" not in page and "58.60" not in page
    assert (await audit.verify_chain(db)).ok
