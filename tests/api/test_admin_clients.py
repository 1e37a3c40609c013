"""Admin pages for API clients: who may open them, issuing a token (shown once, stored as a hash)
and revoking it."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select, text

from arena.api.models import ApiClient
from arena.audit.models import AuditEvent
from arena.auth.models import Role
from tests.api.factories import ADMIN, api_admin, bearer, issue_token
from tests.conftest import Browser, fresh, make_client
from tests.factories import make_user

TOKEN_RE = re.compile(r"arena_[A-Za-z0-9_-]{43}")
ROLES = {"anonymous": None, "cad": Role.CADRE, "org": Role.ORGANIZER, "exp": Role.EXPERT,
         "insp": Role.INSPECTOR, ADMIN: Role.ADMIN}


@pytest.fixture
async def admin(app, db) -> Browser:
    await api_admin(db)
    await db.commit()
    browser = Browser(make_client(app))
    await browser.login(ADMIN)
    return browser


async def issue(admin: Browser, name: str = "组织部干部信息系统", scopes: list[str] | None = None):
    return await admin.post("/admin/api-clients/new", {"name": name, "scopes": scopes or ["challenges", "records"]})


async def test_api_client_pages_are_for_admins_only(app, db, clock):
    for username, role in ROLES.items():
        if role is Role.ADMIN:
            await api_admin(db)
        elif role is not None:
            await make_user(db, username, role)
    await db.commit()
    await issue_token(db, clock)
    client_id = await db.scalar(select(ApiClient.id))
    wrong = []
    for username, role in ROLES.items():
        browser = Browser(make_client(app))
        if role is not None:
            await browser.login(username)
        expected = 303 if role is None else 200 if role is Role.ADMIN else 403
        for path in ("/admin/api-clients", "/admin/api-clients/new"):
            got = (await browser.get(path)).status_code
            if got != expected:
                wrong.append(f"{username} GET {path}: {got}, expected {expected}")
        if role is not Role.ADMIN:  # the actions: refused before anything happens
            for path in ("/admin/api-clients/new", f"/admin/api-clients/{client_id}/revoke"):
                got = (await browser.post(path, {"name": "x", "scopes": ["records"]})).status_code
                if got != expected:
                    wrong.append(f"{username} POST {path}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)
    assert await db.scalar(select(func.count()).select_from(ApiClient)) == 1
    assert await db.scalar(select(ApiClient.revoked_at)) is None


async def test_issuing_shows_the_token_once_and_stores_only_its_hash(admin, app, db):
    response = await issue(admin)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "只显示这一次" in response.text
    token = TOKEN_RE.search(response.text).group(0)
    client = await db.scalar(select(ApiClient))
    assert client.name == "组织部干部信息系统" and client.scope_set == {"challenges", "records"}
    assert client.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith("arena_" + client.token_prefix) and len(client.token_prefix) == 8
    # the token text is nowhere in the database: not in the client's row, not in the audit log
    row = (await db.execute(text("SELECT * FROM api_client"))).mappings().one()
    assert not any(token in str(value) for value in row.values())
    events = (await db.execute(text("SELECT * FROM audit_event"))).mappings().all()
    assert [e["action"] for e in events if e["object_type"] == "api_client"] == ["api_client.issue"]
    assert not any(token in str(value) for event in events for value in event.values())
    # the list shows the prefix only, and the token works
    listing = await admin.get("/admin/api-clients")
    assert client.token_prefix in listing.text and token not in listing.text
    async with make_client(app) as api:
        assert (await api.get("/api/v1/challenges", headers=bearer(token))).status_code == 200


@pytest.mark.parametrize(("name", "scopes", "message"), [
    ("", ["records"], "请填写客户端名称"),
    ("   ", ["records"], "请填写客户端名称"),
    ("\x00\x07", ["records"], "请填写客户端名称"),
    ("人事系统", [], "请至少选择一项权限范围"),
    ("人事系统", ["everything"], "权限范围无效"),
    ("x" * 101, ["records"], "客户端名称最多 100 个字符"),
])
async def test_bad_input_gives_the_form_back_with_a_message_and_saves_nothing(admin, db, name, scopes, message):
    events = await db.scalar(select(func.count()).select_from(AuditEvent))
    response = await admin.post("/admin/api-clients/new", {"name": name, "scopes": scopes})
    assert response.status_code == 400
    assert message in response.text and "请修改以下问题" in response.text
    assert 'checked' in response.text or not scopes or scopes == ["everything"]
    assert await db.scalar(select(func.count()).select_from(ApiClient)) == 0
    assert await db.scalar(select(func.count()).select_from(AuditEvent)) == events


async def test_a_name_in_use_is_refused_whatever_its_case(admin, db):
    assert (await issue(admin, "HR-System")).status_code == 200
    response = await issue(admin, "hr-system")
    assert response.status_code == 400 and "已有同名的客户端" in response.text
    assert 'value="hr-system"' in response.text
    assert await db.scalar(select(func.count()).select_from(ApiClient)) == 1


async def test_revoking_stops_the_token_at_once_and_is_audited(admin, app, db):
    token = TOKEN_RE.search((await issue(admin)).text).group(0)
    client_id = await db.scalar(select(ApiClient.id))
    async with make_client(app) as api:
        assert (await api.get("/api/v1/records", headers=bearer(token))).status_code == 200
        listing = await admin.get("/admin/api-clients")
        assert f'action="/admin/api-clients/{client_id}/revoke"' in listing.text and "data-confirm" in listing.text
        response = await admin.post(f"/admin/api-clients/{client_id}/revoke")
        assert response.status_code == 303 and response.headers["location"] == "/admin/api-clients?done=revoked"
        refused = await api.get("/api/v1/records", headers=bearer(token))
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    await fresh(db)
    actions = (await db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "api_client")
                                .order_by(AuditEvent.seq))).all()
    assert actions == ["api_client.issue", "api_client.revoke"]
    again = await admin.post(f"/admin/api-clients/{client_id}/revoke")
    assert again.status_code == 400 and "已于" in again.text
    assert (await admin.post("/admin/api-clients/999999/revoke")).status_code == 404


async def test_revoke_without_the_csrf_token_is_refused(admin, db, clock):
    await issue_token(db, clock)
    client_id = await db.scalar(select(ApiClient.id))
    response = await admin.post(f"/admin/api-clients/{client_id}/revoke", csrf=False)
    assert response.status_code == 403
    await fresh(db)
    assert await db.scalar(select(ApiClient.revoked_at)) is None
