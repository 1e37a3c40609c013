"""The shell of the site: headers, languages, error pages, health, and who may open which page."""

from __future__ import annotations

import pytest

from arena.app import create_app
from arena.auth.models import Role
from arena.settings import Settings
from tests.conftest import make_client
from tests.factories import make_user

ROLES = [Role.ADMIN, Role.ORGANIZER, Role.INSPECTOR, Role.EXPERT, Role.CADRE]

# page → roles that may open it (None: anyone, even anonymous)
PAGES: dict[str, set[Role] | None] = {
    "/": None,
    "/login": None,
    "/account/password": set(ROLES),
    "/admin/users": {Role.ADMIN},
    "/admin/users/new": {Role.ADMIN},
    "/audit": {Role.ADMIN, Role.INSPECTOR},
    "/admin/units": {Role.ADMIN},
    "/admin/people": {Role.ADMIN},
    "/admin/people/import": {Role.ADMIN},
    "/admin/fields": {Role.ADMIN},
    "/challenges": None,
    "/challenges/eligible": {Role.CADRE},
    "/organizer/challenges": {Role.ORGANIZER},
    "/organizer/challenges/new": {Role.ORGANIZER},
    "/review": {Role.EXPERT},
    "/admin/calendar": {Role.ADMIN},
}


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r.value if r else "anonymous")
async def test_role_page_matrix(browser, db, role):
    if role is not None:
        await make_user(db, "someone", role)
        await db.commit()
        await browser.login("someone")
    for page, allowed in PAGES.items():
        response = await browser.get(page)
        if allowed is None or (role is not None and role in allowed):
            expected = 303 if (page == "/login" and role is not None) else 200
            assert response.status_code == expected, (page, role)
        elif role is None:
            assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), page
        else:
            assert response.status_code == 403, (page, role)
            assert "无权访问" in response.text


async def test_pages_carry_security_headers_and_no_inline_scripts(browser):
    response = await browser.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert "<script>" not in response.text
    assert '<html lang="zh-CN">' in response.text


async def test_english_switch_translates_the_page_and_back(browser):
    response = await browser.get("/lang/en?next=/login")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    page = await browser.get("/login")
    assert '<html lang="en">' in page.text and "Username" in page.text
    await browser.get("/lang/zh_CN")
    page = await browser.get("/login")
    assert "用户名" in page.text


async def test_missing_page_is_a_friendly_404_in_the_users_language(browser):
    response = await browser.get("/no/such/page")
    assert response.status_code == 404
    assert "未找到" in response.text and "Traceback" not in response.text
    # No route matched, yet the page still gets the security headers and the user's language.
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    response = await browser.get("/no/such/page", headers={"accept-language": "en-US"})
    assert "Not found" in response.text and '<html lang="en">' in response.text


async def test_wrong_method_and_bad_path_parameter_are_friendly(browser, db):
    await make_user(db, "adm", Role.ADMIN)
    await db.commit()
    await browser.login("adm")
    response = await browser.get("/admin/users/not-a-number")
    assert response.status_code == 404
    response = await browser.post("/healthz")
    assert response.status_code == 405
    assert "不支持" in response.text


async def test_healthz_checks_the_database(browser):
    response = await browser.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_htmx_request_without_csrf_header_is_refused(browser, db):
    await make_user(db, "insp", Role.INSPECTOR)
    await db.commit()
    await browser.login("insp")
    response = await browser.client.post("/audit/verify", headers={"HX-Request": "true"})
    assert response.status_code == 403
    response = await browser.post("/audit/verify", htmx=True, csrf=False)
    assert response.status_code == 200 and "哈希链完整" in response.text


async def test_production_hides_the_api_schema_and_sets_secure_cookies(settings, clock):
    production = Settings(**{**settings.__dict__, "env": "production"})
    app = create_app(production, clock=clock)
    async with make_client(app) as client:
        response = await client.get("/schema")
        assert response.status_code == 404
        login = await client.get("/login")
        assert "secure" in login.headers["set-cookie"].lower()
        assert "max-age" in login.headers["strict-transport-security"]


async def test_development_serves_the_api_schema(browser):
    response = await browser.get("/schema/openapi.json")
    assert response.status_code == 200


async def test_head_answers_like_get_without_a_body(browser):
    get = await browser.get("/login")
    head = await browser.client.head("/login")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert "frame-ancestors 'none'" in head.headers["content-security-policy"]
    assert (await browser.client.head("/no/such/page")).status_code == 404
