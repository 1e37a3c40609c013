"""The import contracts (pyproject.toml [tool.importlinter], checked by lint-imports in
scripts/test) name route modules one pattern at a time: a new `routes_*.py` must be added there,
or no contract would stop a service from importing it."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatchcase
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == contract_id)


def route_modules() -> list[str]:
    return sorted(
        ".".join(path.relative_to(ROOT / "src").with_suffix("").parts)
        for path in (ROOT / "src" / "arena").glob("*/*.py")
        if path.stem.startswith("routes") or path.stem.endswith("_routes")
    )


def test_every_route_module_is_protected_and_may_import_the_others():
    routes = contract("routes")
    modules = route_modules()
    assert "arena.challenges.routes_public" in modules and "arena.auth.admin_routes" in modules
    for key in ("protected_modules", "allowed_importers"):
        unlisted = [m for m in modules if not any(fnmatchcase(m, pattern) for pattern in routes[key])]
        assert unlisted == [], f"add them to [tool.importlinter] contract 'routes' {key}: {unlisted}"


def test_the_patterns_are_whole_segments_so_a_service_never_matches():
    patterns = contract("routes")["protected_modules"]
    assert not any(fnmatchcase("arena.challenges.service", p) or fnmatchcase("arena.challenges.queries", p)
                   for p in patterns)


def test_every_policy_module_is_pure():
    """Each area's policy.py holds predicates over plain facts (STYLE: policy is explicit): the
    contract 'pure' keeps SQLAlchemy, Litestar and Jinja out of them."""
    policies = sorted(f"arena.{path.parent.name}.policy" for path in (ROOT / "src" / "arena").glob("*/policy.py"))
    assert "arena.challenges.policy" in policies
    unlisted = [m for m in policies if m not in contract("pure")["source_modules"]]
    assert unlisted == [], f"add them to [tool.importlinter] contract 'pure' source_modules: {unlisted}"
