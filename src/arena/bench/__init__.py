"""scripts/bench: how fast Arena's pages answer under load, on SQLite and on PostgreSQL, and
whether that holds at 10× (or 100×) the data.

`python -m arena.bench` (what scripts/bench runs) builds, per data scale and backend, a throwaway
database (`arena.bench.backends`: a SQLite file, or `arena_bench_<hex>` on PostgreSQL, dropped
afterwards even on Ctrl-C), runs `arena db upgrade` and `arena demo --scale N --review-load`,
starts Arena with `arena serve` (granian, ARENA_WORKERS processes; on PostgreSQL with sessions in
Redis as in production) and a bare Litestar reference app (`arena.bench.baseline`, on the same
database) on free loopback ports in 8200–8299, drives each page in `arena.bench.runner.PAGES`
with concurrent keep-alive clients (`arena.bench.load`) and prints requests/s, p50 and p99 per
page with SQLite and PostgreSQL side by side, then how latency moved from the smallest scale to
the largest. Timings are reported, not asserted; the exit status is non-zero only when a page
answered something other than 2xx.
"""
