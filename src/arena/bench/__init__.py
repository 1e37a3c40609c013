"""scripts/bench: how fast Arena's pages answer under load, on SQLite and on PostgreSQL, and
whether that holds at 10× (or 100×) the data.

`python -m arena.bench` (what scripts/bench runs) builds, per data scale and backend, a throwaway
database (`arena.bench.backends`: a SQLite file, or `arena_bench_<hex>` on PostgreSQL, dropped
afterwards even on Ctrl-C), runs `arena db upgrade` and `arena demo --scale N --review-load`,
starts Arena with `arena serve` (granian, ARENA_WORKERS processes; on PostgreSQL with sessions in
Redis as in production) and a bare Litestar reference app (`arena.bench.baseline`, on the same
database) on free loopback ports in 8200–8299, drives each page in `arena.bench.runner.PAGES`
with wrk (`arena.bench.wrk`; the Python client `arena.bench.load` logs the users in, and drives
the load itself when wrk is missing) and prints requests/s, p50 and p99 per page with SQLite and
PostgreSQL side by side, each page's ratio to the bare page measured before and after the pages,
then how latency moved from the smallest scale to the largest, and Arena's workers' memory after
the pages and after 100 PDFs (`arena.bench.memory`). Timings and memory are reported, not
asserted; the exit status is non-zero only when a page or a PDF answered something other than 2xx.
"""
