"""The reference page for scripts/bench: the least a page can cost on Arena's stack.

One Litestar route that runs one query on the same database (through Arena's own engine
settings) and renders one small Jinja template, served by granian with the same workers as
Arena. A page's "ratio to baseline" says how much of the stack's floor it keeps; it is not a
target in itself.

    ARENA_BENCH_DATABASE_URL=sqlite+aiosqlite:///… granian --interface asgi --factory \
        arena.bench.baseline:create_app
"""

from __future__ import annotations

import os

from jinja2 import Environment, select_autoescape
from litestar import Litestar, Response, get
from sqlalchemy import select

from arena.auth.models import User
from arena.db import create_engine, create_session_maker

DATABASE_URL_VARIABLE = "ARENA_BENCH_DATABASE_URL"

TEMPLATE = Environment(autoescape=select_autoescape(default_for_string=True)).from_string(
    """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ name }}</p></main></body>
</html>"""
)


def create_app() -> Litestar:
    engine = create_engine(os.environ[DATABASE_URL_VARIABLE])
    session_maker = create_session_maker(engine)

    @get("/")
    async def page() -> Response[str]:
        async with session_maker() as session:
            name = await session.scalar(select(User.display_name).order_by(User.id).limit(1))
        return Response(TEMPLATE.render(title="基准页 baseline", name=name or ""), media_type="text/html")

    async def dispose() -> None:
        await engine.dispose()

    return Litestar(route_handlers=[page], on_shutdown=[dispose], openapi_config=None, debug=False)
