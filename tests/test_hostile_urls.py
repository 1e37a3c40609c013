"""No input in any URL answers 500 (issue 26): every route, with hostile values in each path
segment and every query parameter, as a visitor and as a user holding every role; and a `next=`
that could not go into a header falls back to a safe same-site path."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from litestar import Litestar

from arena.auth.models import Role
from arena.web.helpers import safe_next
from tests.conftest import Browser, as_user, make_client
from tests.factories import make_user

HOSTILE = ["%E4%B8%AD%E6%96%87", "%0d%0aSet-Cookie:%20x=1", "..%2f..%2fetc%2fpasswd", "9" * 30, "-1", "%00",
           "'", "%3Cscript%3E", "%FF%FE", "2147483648"]
COMMON_QUERY = ("page", "q", "next", "year", "status", "kind", "cursor", "limit", "sort", "unit", "field",
                "rank", "action", "before", "after", "seq", "lang", "format")
NOT_QUERY = {"request", "db_session", "clock", "actor", "data", "state", "scope", "headers", "cookies"}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the routes are the same on both; one backend keeps this under a minute


def _routes(app: Litestar) -> list[tuple[str, str, set[str]]]:
    """(method, path template, query names) for every page and API route."""
    found = []
    for route in app.routes:
        if route.path.startswith("/static") or not hasattr(route, "route_handler_map"):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if method not in ("GET", "POST"):
                continue
            names = {n for n in inspect.signature(handler.fn).parameters if n not in NOT_QUERY}
            found.append((method, route.path, (names - set(PARAM.findall(route.path))) | set(COMMON_QUERY)))
    return found


async def _sweep(browser: Any, routes: list[tuple[str, str, set[str]]]) -> list[str]:
    failures = []
    for method, template, query_names in routes:
        has_params = bool(PARAM.search(template))
        for value in HOSTILE:
            urls = []
            if has_params:
                urls.append(PARAM.sub(value, template))
            if method == "GET":
                concrete = PARAM.sub("1", template)
                urls.append(concrete + "?" + "&".join(f"{name}={value}" for name in sorted(query_names)))
            for url in urls:
                if method == "GET":
                    response = await browser.get(url)
                else:
                    response = await browser.post(url, {})
                if response.status_code >= 500:
                    failures.append(f"{method} {url} → {response.status_code}")
    return failures


async def test_no_hostile_value_in_any_path_segment_or_query_parameter_answers_500(app, db):
    await make_user(db, "everyone", *Role)
    await db.commit()
    routes = _routes(app)
    assert len(routes) > 100
    visitor = Browser(make_client(app))
    failures = await _sweep(visitor, routes)
    admin = await as_user(app, "everyone")
    failures += await _sweep(admin, routes)
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize(("raw", "expected"), [
    ("/%E4%B8%AD%E6%96%87", "/%E4%B8%AD%E6%96%87"), ("/ok%0d%0aSet-Cookie:%20x=1", "/"),
    ("https://evil.example/", "/"), ("//evil.example/", "/"), ("/%5Cevil", "/"), ("%2F%2Fevil.example", "/"),
    ("/challenges?q=%E6%B0%B4", "/challenges?q=%E6%B0%B4"), ("/a%22%3E%3Cscript%3E", "/a%22%3E%3Cscript%3E"),
])
async def test_login_sends_a_hostile_next_to_a_safe_same_site_path(app, db, raw, expected):
    await make_user(db, "someone", Role.CADRE)
    await db.commit()
    user = await as_user(app, "someone")
    response = await user.get(f"/login?next={raw}")
    assert response.status_code == 303 and response.headers["location"] == expected
    page = await make_client(app).get(f"/lang/en?next={raw}")
    assert page.status_code == 303 and page.headers["location"] == expected


def test_safe_next_keeps_only_ascii_same_site_paths():
    for target in ("/中文", "/x?q=水利", "/a'b", "/<b>"):
        assert safe_next(target).isascii() and safe_next(target).startswith("/")
    for target in ("/x\r\nLocation: //evil", "/a\tb", "/\x00", "\\\\evil", "/a b", "//evil", "ftp://x", ""):
        assert safe_next(target) == "/"
