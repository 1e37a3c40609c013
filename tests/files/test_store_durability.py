"""A stored file is on disk, name and all, before the database row that names it commits."""

from __future__ import annotations

import os
import stat

from arena.files import store


def test_saving_a_file_syncs_its_bytes_and_then_its_directory(tmp_path, monkeypatch):
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        mode = os.fstat(fd).st_mode
        synced.append("directory" if stat.S_ISDIR(mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(store.os, "fsync", recording_fsync)
    digest = store.save(tmp_path, b"%PDF-1.4 durable")
    assert synced == ["file", "directory"]
    assert store.load(tmp_path, digest) == b"%PDF-1.4 durable"
    assert not list(tmp_path.rglob("*.part"))
    synced.clear()
    store.save(tmp_path, b"%PDF-1.4 durable")  # the same bytes again: already there, nothing written
    assert synced == []
