"""Every setting is documented (datasette's pattern: one registry, one test)."""

from __future__ import annotations

from pathlib import Path

from gcrm import config

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text("utf-8")
    for s in config.SETTINGS:
        assert f"`{s.env}`" in text, s.env


def test_environment_overrides_default(monkeypatch) -> None:
    monkeypatch.setenv("GCRM_DB", "/tmp/elsewhere.duckdb")
    assert config.db_path() == Path("/tmp/elsewhere.duckdb")
    assert config.db_path("x.duckdb") == Path("x.duckdb")
    monkeypatch.delenv("GCRM_DB")
    assert config.db_path() == Path("data/gcrm.duckdb")
