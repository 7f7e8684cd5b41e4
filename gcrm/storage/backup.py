"""Backup and restore of the warehouse and the operational store, with checksums.

A backup is a tar archive holding ``gcrm.duckdb`` (checkpointed copy), ``ops.sqlite`` (SQLite's
online backup, consistent while in use) and ``manifest.json`` (SHA-256 and size of each member,
GCRM version, time); it is created with mode 0600. Restore checks the manifest (both members
listed, each with a SHA-256) and every checksum, then opens the unpacked copies in a temporary
folder beside the target: the warehouse must be a DuckDB warehouse with the GCRM schema, the
store an intact SQLite file with the accounts and audit tables. Only then are the files swapped
in by rename; a backup refused at any step leaves the target untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from gcrm import __version__, config
from gcrm.storage import warehouse
from gcrm.storage.files import create_private, make_private
from gcrm.storage.store import connect_store, store_path

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
        src = connect_store(db)  # a warehouse without a store yet gets an empty one
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
        partial.unlink(missing_ok=True)
        create_private(partial)
        with tarfile.open(partial, "w:gz") as tar:
            for name in ("manifest.json", *MEMBERS):
                tar.add(tmpd / name, arcname=name)
        partial.replace(out)
    return manifest


def restore(archive: str | os.PathLike, db: str | os.PathLike | None,
            force: bool = False) -> dict:
    """Verify ``archive`` and restore it as the warehouse at ``db`` (and its store).

    Raises :class:`BackupError` (and leaves ``db`` and its store untouched) when the archive is
    not a GCRM backup, a checksum differs, or a member is not what its name says.
    """
    archive, db = Path(archive), config.db_path(db)
    if not archive.exists():
        raise BackupError(f"backup {archive} does not exist")
    if db.exists() and not force:
        raise BackupError(f"warehouse {db} exists; use --force to replace it")
    db.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=db.parent, prefix=".gcrm-restore-") as tmp:
        tmpd = Path(tmp)
        manifest = _unpack(archive, tmpd)
        _check_warehouse(tmpd / "gcrm.duckdb", archive.name)
        _check_store(tmpd / "ops.sqlite", archive.name)
        with warehouse.load_lock(db):  # never under a running load
            _swap_in(tmpd, db)
    return manifest


def _unpack(archive: Path, tmpd: Path) -> dict:
    """Extract ``archive`` into ``tmpd``; return its manifest once every checksum matched."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            names = set(tar.getnames())
            if names != {"manifest.json", *MEMBERS}:
                raise BackupError(f"{archive.name}: not a GCRM backup (members: "
                                  f"{', '.join(sorted(names))})")
            tar.extractall(tmpd, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive.name}: unreadable archive ({exc})") from exc
    manifest = _manifest(tmpd / "manifest.json", archive.name)
    for name, meta in manifest["members"].items():
        got = _sha256(tmpd / name)
        if got != meta["sha256"]:
            raise BackupError(f"{archive.name}: checksum mismatch for {name} "
                              f"(expected {meta['sha256'][:12]}..., got {got[:12]}...)")
    return manifest


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _manifest(path: Path, archive: str) -> dict:
    """The manifest, refused unless it lists exactly the members, each with a SHA-256."""
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{archive}: manifest.json is not valid JSON ({exc})") from None
    members = manifest.get("members") if isinstance(manifest, dict) else None
    if not isinstance(members, dict) or set(members) != set(MEMBERS):
        listed = ", ".join(sorted(members)) if isinstance(members, dict) else "none"
        raise BackupError(f"{archive}: manifest.json must list {' and '.join(MEMBERS)} "
                          f"(lists: {listed or 'none'})")
    for name in MEMBERS:
        meta = members[name]
        sha = meta.get("sha256") if isinstance(meta, dict) else None
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise BackupError(f"{archive}: manifest.json entry {name} has no valid sha256")
    if not isinstance(manifest.get("created_at"), str):
        raise BackupError(f"{archive}: manifest.json has no created_at")
    return manifest


def _check_warehouse(path: Path, archive: str) -> None:
    """Open the unpacked warehouse read-only and check its schema."""
    try:
        con = warehouse.connect(path, read_only=True)
    except (duckdb.Error, ValueError) as exc:
        raise BackupError(f"{archive}: gcrm.duckdb is not a GCRM warehouse ({exc})") from None
    try:
        problems = warehouse.schema_problems(con)
        version = warehouse.schema_version(con)
        if (problems and warehouse.has_tables(con, warehouse.TABLES) and version is not None
                and version < warehouse.SCHEMA_VERSION and not warehouse.of_views(con)):
            problems = []  # a backup of an older GCRM: restored, then `gcrm upgrade`
    except duckdb.Error as exc:
        problems = [str(exc)]
    finally:
        con.close()
    if problems:
        raise BackupError(f"{archive}: gcrm.duckdb is not a GCRM warehouse "
                          f"({'; '.join(problems)})")


#: tables an operational store must have (accounts and the audit log)
STORE_TABLES = ("users", "sessions", "audit_log", "audit_head")


def _check_store(path: Path, archive: str) -> None:
    """Open the unpacked store read-only: intact SQLite with the accounts and audit tables
    (or none at all: a backup taken before the warehouse had a store)."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check = con.execute("PRAGMA quick_check").fetchone()[0]
            have = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{archive}: ops.sqlite is not an operational store ({exc})") from None
    missing = [t for t in STORE_TABLES if t not in have] if have else []  # empty: no store yet
    if check != "ok" or missing:
        why = f"tables missing: {', '.join(missing)}" if missing else f"damaged: {check}"
        raise BackupError(f"{archive}: ops.sqlite is not an operational store ({why})")


def _swap_in(tmpd: Path, db: Path) -> None:
    """Move the checked copies over the target by rename (the store is staged beside its
    own path first, which may be on another file system with ``$GCRM_STORE``)."""
    ops = store_path(db)
    ops.parent.mkdir(parents=True, exist_ok=True)
    staged = ops.with_name(f".{ops.name}.restoring")
    staged.unlink(missing_ok=True)
    create_private(staged)
    try:
        shutil.copyfile(tmpd / "ops.sqlite", staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    make_private(tmpd / "gcrm.duckdb")
    Path(f"{db}.wal").unlink(missing_ok=True)
    (tmpd / "gcrm.duckdb").replace(db)
    for suffix in ("-wal", "-shm"):
        Path(f"{ops}{suffix}").unlink(missing_ok=True)
    staged.replace(ops)
