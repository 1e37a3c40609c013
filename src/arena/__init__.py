"""Arena: the platform for 揭榜挂帅 competitions."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout: templates/, static/ and var/ live beside src/."""

_BUNDLE = Path(__file__).resolve().parent / "_bundle"
RESOURCE_ROOT = _BUNDLE if _BUNDLE.is_dir() else PROJECT_ROOT
"""Where templates/, static/, migrations/ and alembic.ini are read from at run time: the copy a
built wheel carries inside the package (setup.py puts it in arena/_bundle), else the checkout.
An installed Arena must never depend on the source tree it was built from."""
