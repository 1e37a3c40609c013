"""The read-only JSON API for HR systems under /api/v1/, with per-client tokens."""
