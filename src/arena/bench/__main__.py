"""`python -m arena.bench --help`; see arena.bench."""

import sys

from arena.bench.runner import main

if __name__ == "__main__":
    sys.exit(main())
