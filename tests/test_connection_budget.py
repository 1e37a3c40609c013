"""README, production section 3, "Connection budget": the figures are the pool the code really
opens per process, and the sum for the README's own layout fits the max_connections it tells
the operator to set (less the connections PostgreSQL keeps for superusers)."""

from __future__ import annotations

import re

from arena import PROJECT_ROOT
from arena.db import create_engine
from tests.production.systemd import environment_file

SUPERUSER_RESERVED = 3  # PostgreSQL's default superuser_reserved_connections
DEFAULT_MAX_CONNECTIONS = 100


def budget_paragraph() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    start = readme.index("**Connection budget.**")
    return " ".join(readme[start:readme.index("\n\n", start)].split())


def test_the_readme_connection_budget_is_the_code_pool_and_fits_the_max_connections_it_recommends():
    engine = create_engine("postgresql+asyncpg://arena@10.0.0.31:5432/arena")  # builds the pool, connects to nothing
    size, overflow = engine.pool.size(), getattr(engine.pool, "_max_overflow")  # noqa: B009
    text = budget_paragraph()

    stated = re.search(r"holds up to (\d+) PostgreSQL connections \(a pool of (\d+) plus (\d+) overflow\)", text)
    assert stated, text
    assert tuple(map(int, stated.groups())) == (size + overflow, size, overflow)

    layout = re.search(r"(\d+) nodes × (\d+) processes × (\d+) \+ (\d+) worker × (\d+) \+ (\d+) for commands "
                       r"and `psql` = (\d+)", text)
    assert layout, text
    nodes, processes, per_process, workers, per_worker, commands, total = map(int, layout.groups())
    env = environment_file((PROJECT_ROOT / "deploy/arena.env").read_text())
    assert (nodes, processes, workers) == (2, int(env["ARENA_WORKERS"]), 1)  # app-1, app-2; ops-1's worker
    assert per_process == per_worker == size + overflow
    assert total == nodes * processes * per_process + workers * per_worker + commands

    recommended = re.search(r"Set `max_connections = (\d+)`", text)
    assert recommended, text
    assert total > DEFAULT_MAX_CONNECTIONS - SUPERUSER_RESERVED  # so the README is right to ask for more
    assert total <= int(recommended.group(1)) - SUPERUSER_RESERVED
