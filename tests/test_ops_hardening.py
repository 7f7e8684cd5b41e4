"""Issue #17, operations: the signed audit head and its export (item 6), restore that checks
what it restores (7), one-time passwords on the command line (10), exit 2 instead of 1 (13),
private files and the require_user setting (14)."""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import os
import sqlite3
import stat
import tarfile
from pathlib import Path

import click
import duckdb
import pytest
from click.testing import CliRunner

from gcrm.cli import cli
from gcrm.security import audit
from gcrm.security.accounts import add_user, authenticate
from gcrm.storage.backup import BackupError, backup, restore
from gcrm.storage.store import connect_store, store_path

PW = "Corr3ct-horse-battery"
KEY = "audit-key-kept-elsewhere"


def run(*args: str, **kw):
    return CliRunner().invoke(cli, [str(a) for a in args], **kw)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """Run with the common umask 022, as a user's shell would."""
    old = os.umask(0o022)
    yield
    os.umask(old)


# --------------------------------------------------------------------------- item 6: audit
@pytest.fixture
def keyed_store(tmp_path: Path, monkeypatch) -> Path:
    """A warehouse path whose store holds six keyed audit entries."""
    monkeypatch.setenv("GCRM_AUDIT_KEY", KEY)
    db = tmp_path / "w.duckdb"
    store = connect_store(db)
    add_user(store, "ana", "analyst", PW)
    for i in range(5):
        audit.record(store, "ana", "export", f"list{i}", rows=i)
    store.close()
    return db


def _attacker(db: Path) -> sqlite3.Connection:
    """Write access to the store file, no key: triggers dropped."""
    con = sqlite3.connect(store_path(db), isolation_level=None)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("DROP TRIGGER audit_no_delete")
    return con


def _cut_tail(db: Path, keep: int) -> None:
    con = _attacker(db)
    con.execute("DELETE FROM audit_log WHERE id > ?", (keep,))
    last = con.execute("SELECT hash FROM audit_log WHERE id = ?", (keep,)).fetchone()[0]
    con.execute("UPDATE audit_head SET last_id = ?, last_hash = ?", (keep, last))
    if "signature" in {r[1] for r in con.execute("PRAGMA table_info(audit_head)")}:
        forged = hashlib.sha256(json.dumps(["gcrm-audit-head", keep, last]).encode())
        con.execute("UPDATE audit_head SET signature = ?", (forged.hexdigest(),))
    con.close()


def test_intact_keyed_log_verifies(keyed_store: Path) -> None:
    r = run("audit", "verify", "--db", keyed_store)
    assert r.exit_code == 0 and "intact: 6 entries" in r.output, r.output


def test_cutting_the_tail_and_repointing_the_head_is_detected(keyed_store: Path) -> None:
    _cut_tail(keyed_store, 3)
    r = run("audit", "verify", "--db", keyed_store)
    assert r.exit_code == 1 and "signature does not match" in r.output, r.output
    # the next login must not bless the shortened log
    authenticate(connect_store(keyed_store), "ana", PW)
    r = run("audit", "verify", "--db", keyed_store)
    assert r.exit_code == 1 and "head whose signature was wrong" in r.output, r.output


@pytest.mark.parametrize("keep_head", [False, True])
def test_wiping_the_log_is_detected(keyed_store: Path, keep_head: bool) -> None:
    con = _attacker(keyed_store)
    con.execute("DELETE FROM audit_log")
    if keep_head:
        con.execute("UPDATE audit_head SET last_id = 0, last_hash = ?", (audit.GENESIS,))
    else:
        con.execute("DELETE FROM audit_head")
    con.close()
    r = run("audit", "verify", "--db", keyed_store)
    assert r.exit_code == 1 and "TAMPERED" in r.output and "intact" not in r.output, r.output


def test_a_new_keyed_store_verifies_and_unkeyed_behaviour_stays(tmp_path: Path,
                                                               monkeypatch) -> None:
    monkeypatch.setenv("GCRM_AUDIT_KEY", KEY)
    assert audit.verify(connect_store(tmp_path / "a.duckdb")).ok
    monkeypatch.delenv("GCRM_AUDIT_KEY")
    store = connect_store(tmp_path / "b.duckdb")
    audit.record(store, "x", "export")
    assert audit.verify(store).ok


def test_an_old_store_gains_the_signature_column(tmp_path: Path) -> None:
    path = store_path(tmp_path / "old.duckdb")
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), "
                "last_id INTEGER NOT NULL, last_hash TEXT NOT NULL)")
    old.commit()
    old.close()
    store = connect_store(tmp_path / "old.duckdb")
    audit.record(store, "x", "export")
    assert audit.verify(store).ok


def test_seal_accepts_the_state_and_keeps_the_finding(keyed_store: Path) -> None:
    _cut_tail(keyed_store, 3)
    r = run("audit", "seal", "--db", keyed_store, "--reason", "tail lost in disk incident")
    assert r.exit_code == 0, r.output
    assert run("audit", "verify", "--db", keyed_store).exit_code == 0
    entry = audit.search(connect_store(keyed_store), action="audit.seal")[0]
    assert "removed" in entry["detail"] and "disk incident" in entry["detail"]


def test_export_appends_only_and_detects_a_cut_store(keyed_store: Path, tmp_path: Path,
                                                     open_umask) -> None:
    out = tmp_path / "elsewhere" / "audit.jsonl"
    out.parent.mkdir()
    r = run("audit", "export", "--db", keyed_store, "--out", out)
    assert r.exit_code == 0 and "6 new entries" in r.output, r.output
    assert mode(out) == 0o600
    first = out.read_text("utf-8")
    lines = [json.loads(x) for x in first.splitlines()]
    assert [x["kind"] for x in lines] == ["entry"] * 6 + ["checkpoint"]
    audit.record(connect_store(keyed_store), "ana", "export", "list9")
    assert run("audit", "export", "--db", keyed_store, "--out", out).exit_code == 0
    second = out.read_text("utf-8")
    assert second.startswith(first) and len(second.splitlines()) == 9  # 1 entry + checkpoint
    assert run("audit", "verify", "--db", keyed_store, "--export", out).exit_code == 0
    _cut_tail(keyed_store, 3)
    r = run("audit", "export", "--db", keyed_store, "--out", out)
    assert r.exit_code == 1 and "gone from the store" in r.output, r.output
    assert out.read_text("utf-8") == second  # nothing appended


def test_verify_against_the_export_catches_a_replaced_store(keyed_store: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "audit.jsonl"
    assert run("audit", "export", "--db", keyed_store, "--out", out).exit_code == 0
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store_path(keyed_store)}{suffix}").unlink(missing_ok=True)
    r = run("audit", "verify", "--db", keyed_store, "--export", out)
    assert r.exit_code == 1 and "6 exported entries are gone" in r.output, r.output


def test_a_changed_export_line_is_detected(keyed_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.jsonl"
    assert run("audit", "export", "--db", keyed_store, "--out", out).exit_code == 0
    text = out.read_text("utf-8").replace('"list2"', '"list7"')
    out.write_text(text, "utf-8")
    r = run("audit", "verify", "--db", keyed_store, "--export", out)
    assert r.exit_code == 1 and "content changed" in r.output, r.output
    out.write_text("not json\n", "utf-8")
    r = run("audit", "verify", "--db", keyed_store, "--export", out)
    assert r.exit_code == 2 and "line 1" in r.output, r.output


# --------------------------------------------------------------------------- item 7: restore
def _repack(archive: Path, out: Path, replace: dict[str, bytes] | None = None,
            manifest=None) -> Path:
    """``archive`` with members replaced and the manifest's checksums recomputed (or
    ``manifest`` as given)."""
    with tarfile.open(archive, "r:gz") as tar:
        data = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    data.update(replace or {})
    if manifest is None:
        manifest = json.loads(data["manifest.json"])
        for name, meta in manifest["members"].items():
            meta.update(sha256=hashlib.sha256(data[name]).hexdigest(), bytes=len(data[name]))
    data["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(out, "w:gz") as tar:
        for name, blob in data.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return out


@pytest.fixture
def good_backup(mini_db: Path, tmp_path: Path) -> Path:
    out = tmp_path / "good.tar.gz"
    backup(mini_db, out)
    return out


def _files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (db, store_path(db)) if p.exists()}


def _empty_duckdb(tmp_path: Path) -> bytes:
    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).execute("CREATE TABLE t (x INTEGER)").close()
    return path.read_bytes()


@pytest.mark.parametrize("case,message", [
    ("random_warehouse", "gcrm.duckdb is not a GCRM warehouse"),
    ("other_duckdb", "tables missing"),
    ("random_store", "ops.sqlite is not an operational store"),
    ("no_members", "must list gcrm.duckdb and ops.sqlite"),
    ("no_sha256", "entry gcrm.duckdb has no valid sha256"),
])
def test_restore_refuses_a_consistent_but_wrong_archive(good_backup: Path, mini_db: Path,
                                                        tmp_path: Path, case: str,
                                                        message: str) -> None:
    junk = os.urandom(300_000)
    with tarfile.open(good_backup) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    if case == "no_members":
        manifest["members"] = {}
    elif case == "no_sha256":
        del manifest["members"]["gcrm.duckdb"]["sha256"]
    replace = {"random_warehouse": {"gcrm.duckdb": junk}, "random_store": {"ops.sqlite": junk},
               "other_duckdb": {"gcrm.duckdb": _empty_duckdb(tmp_path)}}.get(case)
    bad = _repack(good_backup, tmp_path / "bad.tar.gz", replace,
                  manifest if case in ("no_members", "no_sha256") else None)
    connect_store(mini_db).close()
    before = _files(mini_db)
    r = run("restore", bad, "--db", mini_db, "--force")
    assert r.exit_code == 2 and message in r.output, r.output
    assert _files(mini_db) == before
    assert not [p for p in mini_db.parent.iterdir() if ".restor" in p.name]


def test_restore_refusal_in_the_library_and_a_good_restore(good_backup: Path,
                                                           tmp_path: Path,
                                                           open_umask) -> None:
    bad = _repack(good_backup, tmp_path / "bad.tar.gz", {"gcrm.duckdb": b"x" * 5000})
    target = tmp_path / "new" / "gcrm.duckdb"
    with pytest.raises(BackupError, match="not a GCRM warehouse"):
        restore(bad, target)
    assert not target.exists() and not store_path(target).exists()
    r = run("restore", good_backup, "--db", target)
    assert r.exit_code == 0, r.output
    assert mode(target) == 0o600 and mode(store_path(target)) == 0o600


# --------------------------------------------------------------------------- item 10
def test_one_time_password_is_refused_on_the_command_line(mini_db: Path, monkeypatch) -> None:
    add_user(connect_store(mini_db), "otp", "analyst", PW, must_change=True)
    monkeypatch.setenv("GCRM_PASSWORD", PW)
    r = run("query", "--db", mini_db, "--user", "otp", "--measure", "kwh")
    assert r.exit_code == 2 and "one-time password" in r.output, r.output
    assert "gcrm user change-password otp" in r.output
    assert audit.search(connect_store(mini_db), user="otp", action="login.refused")
    monkeypatch.setenv("GCRM_NEW_PASSWORD", "Fresh-Start-2026")
    r = run("user", "change-password", "otp", "--db", mini_db)
    assert r.exit_code == 0, r.output
    monkeypatch.setenv("GCRM_PASSWORD", "Fresh-Start-2026")
    r = run("query", "--db", mini_db, "--user", "otp", "--measure", "kwh")
    assert r.exit_code == 0 and "83210" in r.output, r.output


# --------------------------------------------------------------------------- item 13
def test_huge_limits_exit_2(mini_db_shared: Path, tmp_path: Path) -> None:
    big = "999999999999999999999"
    r = run("query", "--db", mini_db_shared, "--measure", "kwh", "--by", "district",
            "--limit", big)
    assert r.exit_code == 2 and "--limit" in r.output and "Internal" not in r.output, r.output
    r = run("audit", "--db", tmp_path / "w.duckdb", "--limit", big)
    assert r.exit_code == 2 and "--limit" in r.output, r.output
    r = run("query", "--db", mini_db_shared, "--measure", "kwh", "--by", "district",
            "--limit", "1")
    assert r.exit_code == 0 and len(r.output.splitlines()) == 2, r.output


def test_no_password_and_no_terminal_exit_2(mini_db: Path, monkeypatch) -> None:
    add_user(connect_store(mini_db), "ana", "analyst", PW)
    monkeypatch.delenv("GCRM_PASSWORD", raising=False)
    r = run("query", "--db", mini_db, "--user", "ana", "--measure", "kwh")
    assert r.exit_code == 2 and "no password given for ana" in r.output, r.output
    r = run("user", "add", "bob", "--role", "analyst", "--db", mini_db)
    assert r.exit_code == 2 and "no password given for bob" in r.output, r.output
    r = run("query", "--db", mini_db, "--user", "ana", "--measure", "kwh", input=PW + "\n")
    assert r.exit_code == 0 and "83210" in r.output, r.output


def test_option_types_refuse_nonsense() -> None:
    """The types gcrm/cli/tradearea.py is to use for --km, --minutes, --beta, ..."""
    from gcrm.cli.common import EXPONENT, KM, float_list

    for kind, bad in [(EXPONENT, "nan"), (EXPONENT, "inf"), (EXPONENT, "-1"), (EXPONENT, "11"),
                      (KM, "1e9"), (KM, "0"), (KM, "nan")]:
        with pytest.raises(click.BadParameter):
            kind.convert(bad, None, None)
    assert EXPONENT.convert("2", None, None) == 2.0 and KM.convert("3", None, None) == 3.0
    assert float_list("1,3,5", "--km", 0, 500) == [1, 3, 5]
    for bad in ("1e9", "nan", "0", "-2", "1,inf", ""):
        with pytest.raises(click.ClickException) as exc:
            float_list(bad, "--km", 0, 500)
        assert exc.value.exit_code == 2 and "--km" in exc.value.format_message()


# --------------------------------------------------------------------------- item 14
def test_files_are_created_private(example_dir: Path, tmp_path: Path, open_umask,
                                   monkeypatch) -> None:
    monkeypatch.setenv("GCRM_PASSWORD", PW)
    db = tmp_path / "w" / "gcrm.duckdb"
    r = run("etl", "--db", db, "--input", example_dir, "--quiet")
    assert r.exit_code == 0, r.output
    assert run("user", "add", "ana", "--role", "analyst", "--db", db).exit_code == 0
    out = tmp_path / "b.tar.gz"
    assert run("backup", "--db", db, "--out", out).exit_code == 0
    assert {p.name: mode(p) for p in (db, store_path(db), out)} == dict.fromkeys(
        (db.name, store_path(db).name, out.name), 0o600)
    assert os.umask(0o022) == 0o022  # the command put the umask back


def test_library_creates_private_files(tmp_path: Path, open_umask) -> None:
    from gcrm.reports.output import atomic_target
    from gcrm.storage import warehouse

    warehouse.connect(tmp_path / "lib.duckdb").close()
    connect_store(tmp_path / "lib.duckdb").close()
    target = tmp_path / "report.pdf"
    with atomic_target(target) as tmp:
        tmp.write_bytes(b"%PDF")
    assert mode(tmp_path / "lib.duckdb") == 0o600
    assert mode(store_path(tmp_path / "lib.duckdb")) == 0o600
    assert mode(target) == 0o600


def test_require_user(mini_db: Path, monkeypatch) -> None:
    add_user(connect_store(mini_db), "ana", "analyst", PW)
    monkeypatch.setenv("GCRM_PASSWORD", PW)
    monkeypatch.setenv("GCRM_REQUIRE_USER", "true")
    for args in (["query", "--measure", "kwh"], ["reliability", "--year", "2025"],
                 ["quality"], ["customers", "merges"]):
        r = run(*args, "--db", mini_db)
        assert r.exit_code == 2 and "requires --user" in r.output, (args, r.output)
    r = run("query", "--measure", "kwh", "--db", mini_db, "--user", "ana")
    assert r.exit_code == 0 and "83210" in r.output, r.output
    monkeypatch.setenv("GCRM_REQUIRE_USER", "perhaps")
    r = run("query", "--measure", "kwh", "--db", mini_db)
    assert r.exit_code == 2 and "require_user must be true or false" in r.output, r.output


def _commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_command_with_user_signs_in_through_principal_for() -> None:
    """require_user and the one-time-password rule live in principal_for: every command
    taking --user must reach it (directly, through its module's _open or through
    gcrm.cli.common.open_as, which signs in with principal_for)."""
    from gcrm.cli.common import open_as

    assert "principal_for(" in inspect.getsource(open_as)
    signs_in = ("principal_for(", "_open(", "open_as(")
    missing = []
    for name, command in _commands(cli):
        if not any(p.name == "user" and p.opts == ["--user"] for p in command.params):
            continue
        source = inspect.getsource(inspect.unwrap(command.callback))
        if not any(call in source for call in signs_in):
            missing.append(name)
    assert not missing, missing
