"""The rehearsal clock (ARENA_CLOCK_OFFSET): a trainer moves Arena's time to walk a challenge
through its whole life in an afternoon; production refuses it; every page says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from arena.app import create_app
from arena.clock import OffsetClock, parse_offset
from arena.settings import ConfigurationError, Settings
from tests.conftest import Browser, make_client


@pytest.mark.parametrize(("text", "offset"), [
    ("3d", timedelta(days=3)), ("+2d12h", timedelta(days=2, hours=12)), ("-90m", -timedelta(minutes=90)),
    ("1d 6h", timedelta(days=1, hours=6)), ("tomorrow", None), ("3", None), ("", None),
])
def test_offsets_are_read_in_days_hours_and_minutes(text, offset):
    assert parse_offset(text) == offset


def test_the_offset_moves_the_app_and_worker_clock_and_is_refused_in_production(tmp_path):
    env = {"ARENA_VAR_DIR": str(tmp_path), "ARENA_CLOCK_OFFSET": "5d"}
    settings = Settings.from_env(env)
    assert settings.clock_offset == timedelta(days=5)
    clock = create_app(settings).state.clock
    assert isinstance(clock, OffsetClock)
    assert abs(clock.now() - datetime.now(UTC) - timedelta(days=5)) < timedelta(seconds=5)
    with pytest.raises(ConfigurationError, match="ARENA_CLOCK_OFFSET"):
        Settings.from_env(env | {"ARENA_CLOCK_OFFSET": "soon"})
    production = {"ARENA_ENV": "production", "ARENA_SECRET_KEY": "s" * 40, "ARENA_DATABASE_URL": "sqlite+aiosqlite:///x",
                  "ARENA_PUBLIC_URL": "https://arena.example.cn", "ARENA_FILES_DIR": str(tmp_path),
                  "ARENA_AUDIT_SIGNING_KEY": "00" * 32, "ARENA_CLOCK_OFFSET": "5d"}
    with pytest.raises(ConfigurationError, match="ARENA_CLOCK_OFFSET"):
        Settings.from_env(production)


async def test_every_page_shows_the_rehearsal_banner(settings):
    moved = create_app(settings, clock=OffsetClock(timedelta(days=2, hours=3)))
    async with make_client(moved) as client:
        page = (await Browser(client).get("/")).text
    assert "演练时钟" in page and "拨快 2 天 3 小时" in page
    plain = create_app(settings)
    async with make_client(plain) as client:
        assert "演练时钟" not in (await Browser(client).get("/")).text
