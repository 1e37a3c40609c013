"""Per-token rate limits (ARENA_API_RATE_LIMIT) and the API's own OpenAPI document."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from arena.api.models import Scope
from arena.app import create_app
from arena.settings import ConfigurationError, Settings
from tests.api.factories import bearer, issue_token
from tests.conftest import REDIS_URL, make_client, needs_redis


async def test_the_fourth_request_in_a_minute_gets_429_and_each_token_has_its_own_budget(settings, clock, db):
    app = create_app(dataclasses.replace(settings, api_rate_limit=3), clock=clock)
    first, second = await issue_token(db, clock, Scope.CHALLENGES), await issue_token(db, clock, Scope.CHALLENGES)
    async with make_client(app) as api:
        answers = [await api.get("/api/v1/challenges", headers=bearer(first)) for _n in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert answers[-1].headers["ratelimit-remaining"] == "0"
        refused = await api.get("/api/v1/challenges", headers=bearer(first))
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-limit"] == "3"
        assert (await api.get("/api/v1/challenges", headers=bearer(second))).status_code == 200
    await app.state.engine.dispose()


@needs_redis
async def test_with_redis_two_processes_share_one_budget_per_token(settings, clock, db):

    shared = dataclasses.replace(settings, api_rate_limit=2, redis_url=REDIS_URL,
                                 redis_prefix=f"arena-test-{uuid.uuid4().hex[:8]}")
    token = await issue_token(db, clock, Scope.RECORDS)
    workers = [create_app(shared, clock=clock), create_app(shared, clock=clock)]
    statuses = []
    for app in [*workers, workers[0]]:
        async with make_client(app) as api:
            statuses.append((await api.get("/api/v1/records", headers=bearer(token))).status_code)
    assert statuses == [200, 200, 429]
    for app in workers:
        await app.state.engine.dispose()


@pytest.mark.parametrize(("raw", "expected"), [(None, 120), ("30", 30)])
def test_the_rate_limit_is_read_from_the_environment(tmp_path, raw, expected):
    environ = {"ARENA_VAR_DIR": str(tmp_path)} | ({"ARENA_API_RATE_LIMIT": raw} if raw else {})
    assert Settings.from_env(environ).api_rate_limit == expected


@pytest.mark.parametrize("raw", ["abc", "1.5", "0", "-5", ""])
def test_a_rate_limit_that_is_not_a_positive_integer_stops_the_start(tmp_path, raw):
    with pytest.raises(ConfigurationError, match="ARENA_API_RATE_LIMIT"):
        Settings.from_env({"ARENA_VAR_DIR": str(tmp_path), "ARENA_API_RATE_LIMIT": raw})


@pytest.mark.parametrize("env", ["development", "production"])
async def test_the_openapi_document_lists_only_the_api_with_the_bearer_scheme(settings, clock, env):
    app = create_app(dataclasses.replace(settings, env=env), clock=clock)
    async with make_client(app) as client:
        response = await client.get("/api/v1/openapi.json")  # no token needed: it holds no data
        developers = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert set(document["paths"]) == {"/api/v1/challenges", "/api/v1/challenges/{challenge_id}", "/api/v1/results",
                                      "/api/v1/results/{challenge_id}", "/api/v1/records"}
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A token issued by an Arena administrator"}
    assert document["security"] == [{"bearerAuth": []}]
    operation = document["paths"]["/api/v1/records"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert {p["name"] for p in operation["parameters"]} == {"limit", "cursor", "cadre_code", "record_type", "year"}
    assert {"200", "400", "401", "403", "429"} <= set(operation["responses"])
    page = document["components"]["schemas"]["RecordPage"]
    assert set(page["properties"]) == {"data", "next_cursor"}
    assert "Accept-Language" in document["info"]["description"]
    if env == "development":  # the developers' document leaves the API to its own
        paths = developers.json()["paths"]
        assert paths and not any(path.startswith("/api/") for path in paths)
    await app.state.engine.dispose()
