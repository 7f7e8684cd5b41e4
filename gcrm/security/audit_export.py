"""A copy of the audit log outside the store: append-only JSON lines with signed checkpoints.

``gcrm audit export --out FILE`` appends every entry not yet in ``FILE`` (one JSON object per
line, ``"kind": "entry"``, with the stored hash), then a checkpoint line (``"kind":
"checkpoint"``: entry count, last hash, time, signature). Before appending it checks that the
file is intact and that the store still holds every entry the file has, so a store that was cut,
wiped or replaced by an older copy is reported instead of exported. The file is created 0600
and only ever appended to; ship it to another machine (or append-only storage) after each run.
``gcrm audit verify --export FILE`` checks the store against such a copy.

Checkpoint signatures, like entry hashes, are HMAC-SHA256 under ``$GCRM_AUDIT_KEY`` when it is
set, so whoever holds the copy but not the key can neither extend nor shorten it unnoticed.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from gcrm.security import audit

FIELDS = ("id", "ts", "user", "action", "target", "detail", "prev_hash", "hash")


class ExportError(ValueError):
    """An export file that cannot be used (not JSON lines, not a GCRM audit export)."""


@dataclass
class ExportFile:
    """What an export file holds: its entries (as :func:`audit.walk` rows) and checkpoints."""

    entries: list[tuple] = field(default_factory=list)
    checkpoints: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def last_id(self) -> int:
        return self.entries[-1][0] if self.entries else 0


def checkpoint_signature(entries: int, last_hash: str, at: str) -> str:
    return audit.sign("gcrm-audit-checkpoint", entries, last_hash, at)


def read(path: Path) -> ExportFile:
    """Parse ``path`` and check it on its own: its chain and every checkpoint's signature."""
    out = ExportFile()
    text = path.read_text("utf-8") if path.exists() else ""
    if text and not text.endswith("\n"):
        out.problems.append(f"{path.name}: the last line is incomplete")
    for n, line in enumerate(text.splitlines(), 1):
        try:
            item = json.loads(line)
            kind = item["kind"]
        except (ValueError, TypeError, KeyError):
            raise ExportError(f"{path.name} line {n}: not a GCRM audit export line") from None
        if kind == "entry":
            out.entries.append(tuple(item.get(f) for f in FIELDS))
        elif kind == "checkpoint":
            _check_point(item, out, n)
        else:
            raise ExportError(f"{path.name} line {n}: unknown kind {kind!r}")
    chain = audit.walk(out.entries)
    out.problems += [f"{path.name}: {p}" for p in chain.problems]
    return out


def _check_point(item: dict, out: ExportFile, line: int) -> None:
    out.checkpoints.append(item)
    entries, last_hash = item.get("entries"), item.get("last_hash")
    last = out.entries[-1] if out.entries else None
    if entries != len(out.entries) or last_hash != (last[-1] if last else audit.GENESIS):
        out.problems.append(f"line {line}: the checkpoint does not match the entries before it")
    if item.get("signature") != checkpoint_signature(entries, last_hash, item.get("at")):
        out.problems.append(f"line {line}: the checkpoint's signature is wrong")


def compare(con: sqlite3.Connection, copy: ExportFile) -> list[str]:
    """Problems where the store no longer holds what the copy holds (cut, wiped, rewritten)."""
    stored = {r[0]: r[-1] for r in con.execute("SELECT id, hash FROM audit_log")}
    missing = [e[0] for e in copy.entries if e[0] not in stored]
    changed = [e[0] for e in copy.entries if e[0] in stored and stored[e[0]] != e[-1]]
    problems = []
    if missing:
        problems.append(f"{len(missing)} exported entries are gone from the store "
                        f"(ids {missing[0]}..{missing[-1]})")
    if changed:
        problems.append(f"{len(changed)} exported entries differ in the store "
                        f"(first: id {changed[0]})")
    return problems


@dataclass
class ExportResult:
    appended: int
    entries: int
    problems: list[str]


def export(con: sqlite3.Connection, path: str | os.PathLike) -> ExportResult:
    """Append the store's new entries and a signed checkpoint to ``path`` (created 0600).

    Nothing is written when the file or the store fails its checks (``problems``)."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"--out {path} is a folder; give a file name")
    copy = read(path)
    problems = copy.problems + compare(con, copy) + audit.verify(con).problems
    if problems:
        return ExportResult(0, len(copy.entries), problems)
    new = list(audit.rows(con, after=copy.last_id))
    entries = len(copy.entries) + len(new)
    last_hash = new[-1][-1] if new else (copy.entries[-1][-1] if copy.entries else audit.GENESIS)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    lines = [{"kind": "entry", **dict(zip(FIELDS, tuple(r), strict=True))} for r in new]
    lines.append({"kind": "checkpoint", "entries": entries, "last_hash": last_hash, "at": at,
                  "signature": checkpoint_signature(entries, last_hash, at)})
    text = "".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for x in lines)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return ExportResult(len(new), entries, [])


def verify_against(con: sqlite3.Connection, path: str | os.PathLike) -> list[str]:
    """Problems of the export ``path`` itself and of the store measured against it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"audit export {path} does not exist")
    copy = read(path)
    return copy.problems + compare(con, copy)
