"""Prometheus metrics: requests and latencies per route, login failures, rate-limit refusals,
and the worker's e-mail queue.

Several app processes on one machine share one set of figures through prometheus_client's
multiprocess mode: `arena serve` points PROMETHEUS_MULTIPROC_DIR at an empty folder before the
workers start, each worker writes its counters there, and whichever worker answers /metrics
adds them all up. Without it (one process, tests) the process's own registry is served.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"  # 404s are not labelled by path: a scanner must not create a series per URL

REQUESTS = Counter("arena_http_requests", "HTTP requests answered, by route template and status",
                   ["method", "route", "status"])
LATENCY = Histogram("arena_http_request_duration_seconds", "Time from request to the end of the response",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
LOGIN_FAILURES = Counter("arena_login_failures", "Refused login attempts", ["reason"])
RATE_LIMITED = Counter("arena_rate_limited", "Requests refused by a rate limit", ["limit"])


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    label = route or UNMATCHED
    REQUESTS.labels(method, label, str(status)).inc()
    LATENCY.labels(method, label).observe(seconds)


def prepare_multiprocess_dir(directory: Path) -> None:
    """An empty folder for a new server's workers (figures of an earlier run would be added in)."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


class _Snapshot(Collector):
    """Figures read from the database for this scrape only."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def queue_families(mail_queue: int, mail_failed: int) -> list[Metric]:
    queue = GaugeMetricFamily("arena_mail_queue_depth", "Notifications waiting for the worker to e-mail them")
    queue.add_metric([], mail_queue)
    failed = GaugeMetricFamily("arena_mail_given_up", "Notifications whose e-mail failed too often to retry")
    failed.add_metric([], mail_failed)
    return [queue, failed]


def exposition(families: Iterable[Metric]) -> bytes:
    """The text format: every process's counters, then the figures of this scrape."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        processes = generate_latest(registry)
    else:
        processes = generate_latest(REGISTRY)
    snapshot = CollectorRegistry(auto_describe=False)
    snapshot.register(_Snapshot(families))
    return processes + generate_latest(snapshot)
