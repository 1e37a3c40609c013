"""scripts/bench: how fast Arena's pages answer under load, and whether that holds at 10× the data.

`python -m arena.bench` (what scripts/bench runs) builds a throwaway SQLite database per data
scale (`arena db upgrade`, `arena demo --scale N`), starts Arena with `arena serve` (granian) and
a bare Litestar reference app (`arena.bench.baseline`) on free loopback ports in 8200–8299, drives
each page in `arena.bench.runner.PAGES` with concurrent keep-alive clients (`arena.bench.load`)
and prints requests/s, p50 and p99 per page and scale. Timings are reported, not asserted; the
exit status is non-zero only when a page answered something other than 2xx.
"""
