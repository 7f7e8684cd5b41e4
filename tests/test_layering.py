"""The layering rule of docs/architecture.md: dashboards call the gcrm API and hold no SQL."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL = re.compile(r"\.execute\(|\bSELECT\s+[\w*(]|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b")


def test_no_sql_in_the_dashboards() -> None:
    found = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
             for p in sorted((ROOT / "dashboards").rglob("*.py"))
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             if SQL.search(line)]
    assert not found, "SQL in dashboards/ (move it to the gcrm API):\n" + "\n".join(found)
