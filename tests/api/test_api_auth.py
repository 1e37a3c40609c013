"""Who may call the API: bearer tokens only, each scope to its own endpoints, JSON errors always."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from arena.api.models import ApiClient, Scope
from arena.auth.models import Role
from tests.api.factories import bearer, issue_token
from tests.conftest import Browser, fresh, make_client
from tests.factories import make_user

ENDPOINTS = {
    "/api/v1/challenges": Scope.CHALLENGES,
    "/api/v1/challenges/1": Scope.CHALLENGES,
    "/api/v1/results": Scope.RESULTS,
    "/api/v1/results/1": Scope.RESULTS,
    "/api/v1/records": Scope.RECORDS,
}


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]


async def test_missing_unknown_and_revoked_tokens_get_401_json(app, db, clock):
    revoked = await issue_token(db, clock)
    client = await db.scalar(select(ApiClient))
    client.revoked_at = clock.now()
    await db.commit()
    refused = [{}, {"Authorization": "Bearer arena_not-a-real-token"}, {"Authorization": "Basic dXNlcjpwYXNz"},
               {"Authorization": "Bearer"}, {"Authorization": "Bearer " + "x" * 500}, bearer(revoked)]
    async with make_client(app) as api:
        for headers in refused:
            for path in ENDPOINTS:
                response = await api.get(path, headers=headers)
                assert_error(response, 401, "unauthorized")
                assert response.headers["www-authenticate"] == "Bearer"


async def test_a_logged_in_browser_without_a_token_gets_401(app, db):
    await make_user(db, "boss", Role.ADMIN, Role.ORGANIZER, Role.INSPECTOR)
    await db.commit()
    browser = Browser(make_client(app))
    await browser.login("boss")
    assert (await browser.get("/admin/users")).status_code == 200  # the session works for pages
    assert_error(await browser.get("/api/v1/records"), 401, "unauthorized")


async def test_each_scope_reaches_only_its_own_endpoints(app, db, clock):
    tokens = {scope: await issue_token(db, clock, scope) for scope in Scope}
    wrong = []
    async with make_client(app) as api:
        for scope, token in tokens.items():
            for path, needed in ENDPOINTS.items():
                response = await api.get(path, headers=bearer(token))
                # allowed ones answer 200 for lists and 404 for the (absent) challenge 1
                expected = (200 if not path.endswith("/1") else 404) if scope is needed else 403
                if response.status_code != expected:
                    wrong.append(f"{scope} GET {path}: {response.status_code}, expected {expected}")
                if expected == 403:
                    assert response.json()["error"]["code"] == "forbidden"
    assert not wrong, "\n".join(wrong)


async def test_a_token_with_several_scopes_reaches_each(app, db, clock):
    token = await issue_token(db, clock, Scope.CHALLENGES, Scope.RECORDS)
    async with make_client(app) as api:
        assert (await api.get("/api/v1/challenges", headers=bearer(token))).status_code == 200
        assert (await api.get("/api/v1/records", headers=bearer(token))).status_code == 200
        assert_error(await api.get("/api/v1/results", headers=bearer(token)), 403, "forbidden")


async def test_last_use_is_written_at_most_once_a_minute(app, db, clock):
    token = await issue_token(db, clock, Scope.CHALLENGES)
    first = clock.now()
    async with make_client(app) as api:
        await api.get("/api/v1/challenges", headers=bearer(token))
        clock.advance(timedelta(seconds=30))
        await api.get("/api/v1/challenges", headers=bearer(token))
        await fresh(db)
        assert await db.scalar(select(ApiClient.last_used_at)) == first
        clock.advance(timedelta(seconds=31))
        await api.get("/api/v1/challenges", headers=bearer(token))
        await fresh(db)
        assert await db.scalar(select(ApiClient.last_used_at)) == clock.now()


async def test_errors_under_the_api_are_json_never_pages(app, db, clock):
    token = await issue_token(db, clock)
    async with make_client(app) as api:
        assert_error(await api.get("/api/v1/no-such-endpoint", headers=bearer(token)), 404, "not_found")
        assert_error(await api.get("/api/v1/challenges/424242", headers=bearer(token)), 404, "not_found")
        assert_error(await api.get(f"/api/v1/challenges/{2**70}", headers=bearer(token)), 404, "not_found")
        assert_error(await api.get("/api/v1/results/424242", headers=bearer(token)), 404, "not_found")
        assert_error(await api.get("/api/v1/challenges/abc", headers=bearer(token)), 404, "not_found")
        response = await api.post("/api/v1/challenges", headers=bearer(token))
        assert_error(response, 405, "method_not_allowed")
        assert_error(await api.delete("/api/v1/records", headers=bearer(token)), 405, "method_not_allowed")
        # the rest of the site still answers with its pages
        page = await api.get("/no-such-page")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(("language", "expected"), [(None, "访问令牌无效或已吊销"), ("en", "revoked")])
async def test_error_messages_follow_accept_language(app, language, expected):
    headers = {"Authorization": "Bearer arena_nope"} | ({"Accept-Language": language} if language else {})
    async with make_client(app) as api:
        response = await api.get("/api/v1/records", headers=headers)
    assert response.json()["error"]["code"] == "unauthorized"
    assert expected in response.json()["error"]["message"]


async def test_api_responses_are_not_cached_and_set_no_cookie(app, db, clock):
    token = await issue_token(db, clock)
    async with make_client(app) as api:
        response = await api.get("/api/v1/challenges", headers=bearer(token))
    assert response.headers["cache-control"] == "no-store"
    assert "csrftoken" not in response.headers.get("set-cookie", "")
