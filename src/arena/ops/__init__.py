"""Operator tasks that move a whole installation: backup, restore, and copying between databases;
and the operators' endpoints, /metrics and /readyz (ops.routes).

The entry points (`backup.backup`, `restore.restore`, `copy.copy_database`) are synchronous:
the copy runs Alembic, whose environment starts its own event loop, and the others follow the
same shape so the CLI can call them alike. Never call them from inside a running event loop.
"""

from __future__ import annotations


class OpsError(Exception):
    """A refusal or failure already phrased for the operator: one line, 中文 / English."""
