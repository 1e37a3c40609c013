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


SURFACES = {
    # What each area offers the others: its models (to join on), its loaders and SQL twins
    # (queries), its rules other stages apply (policy, phase, eligibility, scoring, grades), the
    # functions through which another area changes its rows (service, award, acceptance,
    # proposals, panel_draw, qualification), and its labels. Everything else is the area's own.
    "auth": {"models", "passwords", "service"},
    "units": {"import_rows", "importer", "models", "orgdept", "ranks", "scope", "service"},
    "workdays": {"days", "service"},
    "notify": {"models", "outbox", "reminders", "service"},
    "audit": {"chain", "checkpoints", "labels", "models", "service", "summary"},
    "files": {"models", "sanitize", "service", "store"},
    "challenges": {"catalogue_cache", "eligibility", "forms", "models", "phase", "policy", "queries", "transitions"},
    "bids": {"models", "qualification", "service"},
    "review": {"conflicts", "models", "panel_draw", "results", "scoring", "seal", "service"},
    "execution": {"acceptance", "award", "enums", "grades", "models", "public", "transitions", "views"},
    "publicity": {"models", "service"},
    "records": {"enums", "labels", "models", "proposals"},
    "reports": set(), "home": set(), "api": set(),
}
COMPOSERS = ("arena.app", "arena.cli", "arena.caches", "arena.worker", "arena.demo", "arena.bench", "arena.models")
"""Modules that put the whole application together and may import any area's insides (as may
each area's demo.py, which builds the demo data through the other areas' steps)."""


def test_areas_read_each_other_through_a_small_named_surface():
    import grimp

    graph = grimp.build_graph("arena", exclude_type_checking_imports=True)
    used: dict[str, set[str]] = {area: set() for area in SURFACES}
    outside: list[str] = []
    for importer in graph.modules:
        if importer.startswith(COMPOSERS) or importer.endswith(".demo"):
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            parts = imported.split(".")
            if len(parts) < 3 or parts[1] not in SURFACES or importer.split(".")[1] == parts[1]:
                continue
            used[parts[1]].add(parts[2])
            if parts[2] not in SURFACES[parts[1]]:
                outside.append(f"{importer} -> {imported}")
    assert outside == [], "read another area through its surface, or add to SURFACES with a reason"
    unused = {area: sorted(SURFACES[area] - used[area]) for area in SURFACES if SURFACES[area] - used[area]}
    assert unused == {}, "no other area imports these any more: take them out of SURFACES"
