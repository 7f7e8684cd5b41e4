"""Backup and restore of the warehouse and the operational store, with checksums.

A backup is a tar archive holding ``gcrm.duckdb`` (checkpointed copy), ``ops.sqlite`` (SQLite's
online backup, consistent while in use) and ``manifest.json`` (SHA-256 and size of each member,
GCRM version, time). Restore verifies every checksum before it touches anything, then replaces
the files atomically (rename), so a corrupt backup never damages the current warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from gcrm import __version__, config
from gcrm.storage import warehouse
from gcrm.storage.store import store_path

MEMBERS = ("gcrm.duckdb", "ops.sqlite")


class BackupError(ValueError):
    """A backup that cannot be made or a file that is not a valid GCRM backup."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def backup(db: str | os.PathLike | None, out: str | os.PathLike, force: bool = False) -> dict:
    """Write a backup of the warehouse at ``db`` (and its store) to ``out``."""
    db, out = config.db_path(db), Path(out)
    if not db.exists():
        raise BackupError(f"warehouse {db} does not exist")
    if out.exists() and not force:
        raise BackupError(f"{out} exists; use --force to overwrite")
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as tmp:
        tmpd = Path(tmp)
        wh = tmpd / "gcrm.duckdb"
        # A writable connection holds DuckDB's file lock (no load can run meanwhile) and
        # CHECKPOINT folds the WAL into the file, so the copy is complete and consistent.
        con = warehouse.connect(db)
        try:
            con.execute("CHECKPOINT")
            shutil.copy2(db, wh)
        finally:
            con.close()
        ops = tmpd / "ops.sqlite"
        src = sqlite3.connect(store_path(db))
        dst = sqlite3.connect(ops)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        manifest = {
            "format": "gcrm-backup-1", "gcrm_version": __version__,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": str(db.resolve()),
            "members": {m: {"sha256": _sha256(tmpd / m), "bytes": (tmpd / m).stat().st_size}
                        for m in MEMBERS},
        }
        (tmpd / "manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for name in ("manifest.json", *MEMBERS):
                tar.add(tmpd / name, arcname=name)
        partial.replace(out)
    return manifest


def restore(archive: str | os.PathLike, db: str | os.PathLike | None,
            force: bool = False) -> dict:
    """Verify ``archive`` and restore it as the warehouse at ``db`` (and its store)."""
    archive, db = Path(archive), config.db_path(db)
    if not archive.exists():
        raise BackupError(f"backup {archive} does not exist")
    if db.exists() and not force:
        raise BackupError(f"warehouse {db} exists; use --force to replace it")
    db.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        tmpd = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                names = set(tar.getnames())
                if names != {"manifest.json", *MEMBERS}:
                    raise BackupError(f"{archive.name}: not a GCRM backup (members: "
                                      f"{', '.join(sorted(names))})")
                tar.extractall(tmpd, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{archive.name}: unreadable archive ({exc})") from exc
        manifest = json.loads((tmpd / "manifest.json").read_text("utf-8"))
        for name, meta in manifest["members"].items():
            got = _sha256(tmpd / name)
            if got != meta["sha256"]:
                raise BackupError(f"{archive.name}: checksum mismatch for {name} "
                                  f"(expected {meta['sha256'][:12]}..., got {got[:12]}...)")
        for suffix in (".wal",):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        (tmpd / "gcrm.duckdb").replace(db)
        ops = store_path(db)
        for suffix in ("-wal", "-shm"):
            Path(f"{ops}{suffix}").unlink(missing_ok=True)
        (tmpd / "ops.sqlite").replace(ops)
    return manifest
