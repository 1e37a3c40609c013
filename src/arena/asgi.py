"""ASGI entry point for granian: `granian --interface asgi --factory arena.asgi:application`."""

from litestar import Litestar

from arena.app import create_app


def application() -> Litestar:
    return create_app()
