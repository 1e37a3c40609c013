"""A backup's manifest.json: what the backup holds, and the SHA-256 of every file in it.

A restore trusts nothing it has not re-hashed: every listed file must be present with its size
and hash before anything is written, so a damaged or altered backup is refused as a whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from arena.ops import OpsError

MANIFEST = "manifest.json"
FORMAT = "arena-backup"
FORMAT_VERSION = 1
SQLITE_DATABASE = "database.sqlite3"
POSTGRESQL_DATABASE = "database.pgdump"
FILES = "files"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the backup directory, with forward slashes
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created_at: str  # UTC, ISO 8601
    backend: str  # "sqlite" or "postgresql"
    alembic_revision: str
    audit_count: int
    audit_last_hash: str | None
    files: tuple[FileEntry, ...]
    version: int = FORMAT_VERSION

    @property
    def database_file(self) -> str:
        return database_file_for(self.backend)

    @property
    def store_files(self) -> tuple[FileEntry, ...]:
        return tuple(entry for entry in self.files if entry.path.startswith(f"{FILES}/"))

    @property
    def total_bytes(self) -> int:
        return sum(entry.size for entry in self.files)

    def to_json(self) -> str:
        body = {
            "format": FORMAT,
            "version": self.version,
            "created_at": self.created_at,
            "backend": self.backend,
            "alembic_revision": self.alembic_revision,
            "audit": {"count": self.audit_count, "last_hash": self.audit_last_hash},
            "files": [asdict(entry) for entry in self.files],
        }
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, raw: str) -> Manifest:
        try:
            body: dict[str, Any] = json.loads(raw)
            if body.get("format") != FORMAT:
                raise ValueError("not an Arena backup")
            if body.get("version") != FORMAT_VERSION:
                raise OpsError(f"备份格式版本 {body.get('version')} 不受支持（本程序为 {FORMAT_VERSION}）/ "
                               "unsupported backup format version")
            manifest = cls(
                created_at=str(body["created_at"]),
                backend=str(body["backend"]),
                alembic_revision=str(body["alembic_revision"]),
                audit_count=int(body["audit"]["count"]),
                audit_last_hash=body["audit"]["last_hash"],
                files=tuple(FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in body["files"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise OpsError(f"manifest.json 无法读取（{exc}）/ manifest.json is not a valid Arena backup manifest") \
                from exc
        if manifest.backend not in ("sqlite", "postgresql"):
            raise OpsError(f"manifest.json 中的数据库类型 {manifest.backend!r} 未知 / unknown backend in manifest")
        return manifest


def database_file_for(backend: str) -> str:
    return SQLITE_DATABASE if backend == "sqlite" else POSTGRESQL_DATABASE


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST
    if not path.is_file():
        raise OpsError(f"{directory} 不是 Arena 备份目录：缺少 {MANIFEST} / not an Arena backup (no {MANIFEST})")
    manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    if manifest.database_file not in {entry.path for entry in manifest.files}:
        raise OpsError(f"manifest.json 未列出 {manifest.database_file} / the manifest lists no database file")
    return manifest


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Written last, atomically: a backup directory without a manifest is an unfinished backup."""
    temporary = directory / f".{MANIFEST}.part"
    temporary.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(temporary, directory / MANIFEST)


def describe(path: Path, relative: str) -> FileEntry:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(relative, size, digest.hexdigest())


def copy_file(source: Path, target: Path) -> tuple[int, str]:
    """Copy through a temporary name (a reader never sees half a file); return size and SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.part")
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, temporary.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    os.replace(temporary, target)
    return size, digest.hexdigest()


def check(path: Path, entry: FileEntry) -> None:
    """Refuse, naming the file, unless it is present with the size and hash the manifest lists."""
    if not path.is_file():
        raise OpsError(f"备份文件缺失：{entry.path} / file missing from backup: {entry.path}")
    found = describe(path, entry.path)
    if found.size != entry.size or found.sha256 != entry.sha256:
        raise OpsError(f"文件与备份清单不符（已损坏或被改动）：{entry.path} / "
                       f"file does not match the manifest: {entry.path}")


def check_all(directory: Path, manifest: Manifest) -> None:
    for entry in manifest.files:
        check(safe_join(directory, entry.path), entry)


def safe_join(root: Path, relative: str) -> Path:
    """A manifest path inside `root`: an edited manifest must not make a restore write elsewhere."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or relative.startswith("/"):
        raise OpsError(f"备份清单中的路径不合法：{relative} / invalid path in manifest: {relative}")
    return path
