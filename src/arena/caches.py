"""Every per-process cache's write listeners, in one import (arena.data_versions).

A cache's data version is bumped by listeners that its module registers when it is imported.
A process that writes without importing that module (the worker, `arena import`, `arena demo`)
would leave the servers' caches stale, so the app, the worker and the CLI all import this.
"""

from arena.challenges import catalogue_cache, questions
from arena.home import public as public_home
from arena.reports import cache as report_cache
from arena.web import page_cache, public_cache

WATCHED = (catalogue_cache.NAME, public_home.NAME, report_cache.NAME, public_cache.NAME,
           page_cache.NAME)
"""The data versions whose listeners are registered (questions adds to "catalogue")."""

__all__ = ["WATCHED", "questions"]
