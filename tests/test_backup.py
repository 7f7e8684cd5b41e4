"""Backup/restore round trip; a corrupt backup is refused and changes nothing."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from click.testing import CliRunner

from gcrm.cli import cli
from gcrm.security import audit
from gcrm.storage.store import connect_store, store_path
from tests.test_etl_contract import assert_same, snapshot


def test_round_trip(mini_db: Path, tmp_path: Path) -> None:
    audit.record(connect_store(mini_db), "someone", "export", "list", rows=3)
    run = CliRunner().invoke
    out = tmp_path / "b.tar.gz"
    r = run(cli, ["backup", "--db", str(mini_db), "--out", str(out)])
    assert r.exit_code == 0, r.output
    r = run(cli, ["backup", "--db", str(mini_db), "--out", str(out)])
    assert r.exit_code == 2 and "--force" in r.output
    target = tmp_path / "restored" / "gcrm.duckdb"
    r = run(cli, ["restore", str(out), "--db", str(target)])
    assert r.exit_code == 0, r.output
    assert_same(snapshot(mini_db), snapshot(target))
    assert audit.verify(connect_store(target)).ok
    rows = audit.search(connect_store(target), action="export")
    assert rows and rows[0]["target"] == "list"
    assert store_path(target).exists()


def test_corrupt_backup_is_refused(mini_db: Path, tmp_path: Path) -> None:
    run = CliRunner().invoke
    out = tmp_path / "b.tar.gz"
    assert run(cli, ["backup", "--db", str(mini_db), "--out", str(out)]).exit_code == 0
    # flip bytes inside the warehouse member: recompress a tampered tar
    raw = bytearray(gzip.decompress(out.read_bytes()))
    i = raw.find(b"DUCK")
    assert i > 0
    raw[i + 5000] ^= 0xFF
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(gzip.compress(bytes(raw)))
    target = tmp_path / "t.duckdb"
    shutil.copy(mini_db, target)
    before = snapshot(target)
    r = run(cli, ["restore", str(bad), "--db", str(target), "--force"])
    assert r.exit_code == 2 and "checksum mismatch for gcrm.duckdb" in r.output
    assert_same(before, snapshot(target))
    r = run(cli, ["restore", str(tmp_path / "missing.tar.gz"), "--db", str(target)])
    assert r.exit_code == 2
