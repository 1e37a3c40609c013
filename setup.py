"""Packaging glue that pyproject.toml cannot express: the wheel carries the run-time files that
live beside src/ in the checkout (alembic.ini, migrations/, templates/, static/) inside the
package, as arena/_bundle/, so an installed Arena runs from any directory (arena.RESOURCE_ROOT).
The locale catalogs are package data already (src/arena/locale). MANIFEST.in puts the same
files into the sdist, so a wheel built from the sdist holds them too."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("alembic.ini", "migrations", "templates", "static")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules")


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout itself
            return
        bundle = Path(self.build_lib) / "arena" / "_bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        bundle.mkdir(parents=True)
        for name in BUNDLED:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, bundle / name, ignore=SKIPPED)
            else:
                shutil.copy2(source, bundle / name)


setup(cmdclass={"build_py": BuildWithResources})
