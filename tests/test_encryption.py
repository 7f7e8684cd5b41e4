"""Optional encryption at rest (DuckDB AES, key from $GCRM_DB_KEY, OpenSSL from the wheel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.pipeline import load
from gcrm import cube
from gcrm.storage import warehouse


def test_encrypted_warehouse(example_dir: Path, tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "enc.duckdb"
    monkeypatch.setenv("GCRM_DB_KEY", "correct horse")
    load(example_dir, db, quiet=True, report_dir=tmp_path / "r")
    con = warehouse.connect(db, read_only=True)
    assert cube.query(con, ["kwh"])["kwh"].iloc[0] == 83210
    con.close()
    plain = tmp_path / "plain.duckdb"
    monkeypatch.delenv("GCRM_DB_KEY")
    load(example_dir, plain, quiet=True, report_dir=tmp_path / "r2")
    monkeypatch.setenv("GCRM_DB_KEY", "correct horse")
    assert "示例".encode() in plain.read_bytes()  # a plain file holds the names in clear
    assert "示例".encode() not in db.read_bytes()  # the encrypted one does not
    monkeypatch.setenv("GCRM_DB_KEY", "wrong")
    with pytest.raises(ValueError, match="wrong GCRM_DB_KEY"):
        warehouse.connect(db, read_only=True)
    monkeypatch.delenv("GCRM_DB_KEY")
    with pytest.raises(ValueError, match="is encrypted: set GCRM_DB_KEY"):
        warehouse.connect(db, read_only=True)
