"""Accounts, lockout, sessions, masking, the audit chain, and region scope on every path."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from gcrm import cube
from gcrm.cli import cli
from gcrm.outages import queries as rel
from gcrm.security import audit, masking
from gcrm.security.accounts import (
    AccountError,
    AuthError,
    CurrentPasswordError,
    PasswordPolicyError,
    add_user,
    authenticate,
    change_password,
    close_session,
    open_session,
    resume_session,
    session_status,
    set_disabled,
    set_password,
)
from gcrm.security.roles import ROLES, PermissionDenied, require
from gcrm.storage.quality import quality_report
from gcrm.storage.store import connect_store

PW = "Corr3ct-horse-battery"


@pytest.fixture
def store(tmp_path: Path) -> sqlite3.Connection:
    return connect_store(tmp_path / "w.duckdb")


def test_roles_are_data_checked_in_one_place() -> None:
    assert set(ROLES) == {"admin", "regional_manager", "planner", "analyst", "service_agent"}
    require("admin", "manage_users")
    with pytest.raises(PermissionDenied):
        require("analyst", "read_customers")  # analysts see aggregates only
    with pytest.raises(PermissionDenied):
        require("regional_manager", "export")
    assert not ROLES["analyst"].region_scoped and ROLES["service_agent"].region_scoped


@pytest.mark.parametrize("password,message", [
    ("Short1!", "too short"), ("alllowercaseletters", "at least three"),
    ("Mgr1-is-my-Password", "must not contain the user name")])
def test_password_policy(store, password, message) -> None:
    with pytest.raises(AccountError, match=message):
        add_user(store, "mgr1", "analyst", password)


def test_passwords_are_hashed_with_argon2(store) -> None:
    add_user(store, "ana", "analyst", PW)
    h = store.execute("SELECT password_hash FROM users").fetchone()[0]
    assert h.startswith("$argon2") and PW not in h


def test_lockout_after_five_failures_for_fifteen_minutes(store) -> None:
    add_user(store, "ana", "analyst", PW)
    t0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    for _ in range(5):
        with pytest.raises(AuthError, match="invalid user name or password"):
            authenticate(store, "ana", "wrong", now=t0)
    with pytest.raises(AuthError, match="locked"):
        authenticate(store, "ana", PW, now=t0 + timedelta(minutes=14))
    assert authenticate(store, "ana", PW, now=t0 + timedelta(minutes=16)).name == "ana"


def test_disabled_user_and_sessions(store) -> None:
    add_user(store, "sa", "service_agent", PW, regions=("D1",))
    p = authenticate(store, "sa", PW)
    t0 = datetime.now(UTC)
    token = open_session(store, p, now=t0)
    assert resume_session(store, token, now=t0 + timedelta(hours=1)) == p
    assert resume_session(store, token, now=t0 + timedelta(hours=9)) is None  # expired
    set_disabled(store, "sa")
    assert resume_session(store, token, now=t0) is None
    with pytest.raises(AuthError, match="disabled"):
        authenticate(store, "sa", PW)
    with pytest.raises(AccountError, match="limited to regions"):
        add_user(store, "rm", "regional_manager", PW)


def test_masking() -> None:
    assert masking.mask_phone("13812345678") == "138****5678"
    assert masking.mask_id_number("220502199001011234") == "2205**********1234"
    assert masking.mask_name("王伟") == "王*"
    assert masking.mask_name("通化示例药业有限公司") == "通化示例药业有限公司"
    df = masking.mask_frame(pd.DataFrame({"phone": ["13912345678", None], "kwh": [1, 2]}))
    assert df["phone"].iloc[0] == "139****5678" and pd.isna(df["phone"].iloc[1])
    assert df["kwh"].tolist() == [1, 2]


def _chain(store) -> None:
    add_user(store, "ana", "analyst", PW)
    authenticate(store, "ana", PW)
    for i in range(3):
        audit.record(store, "ana", "export", f"list{i}", rows=i)


def test_audit_chain_detects_a_changed_entry(store) -> None:
    _chain(store)
    assert audit.verify(store).ok
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.execute("UPDATE audit_log SET detail = '{}' WHERE id = 3")
    store.execute("DROP TRIGGER audit_no_update")  # someone with file access
    store.execute("UPDATE audit_log SET detail = '{\"rows\": 999}' WHERE id = 3")
    v = audit.verify(store)
    assert not v.ok and any("entry 3: content changed" in p for p in v.problems)


def test_audit_chain_detects_deleted_entries(store) -> None:
    _chain(store)
    store.execute("DROP TRIGGER audit_no_delete")
    store.execute("DELETE FROM audit_log WHERE id = 2")
    v = audit.verify(store)
    assert not v.ok and any("missing" in p for p in v.problems)
    store.execute("DELETE FROM audit_log WHERE id >= 4")  # cut the tail
    assert any("removed from the end" in p for p in audit.verify(store).problems)


@pytest.fixture
def d1(mini_db_shared: Path):
    return duckdb.connect(str(mini_db_shared), read_only=True)


def test_scope_in_the_cube(d1) -> None:
    df = cube.query(d1, ["kwh", "customers"], by=["district"], scope=["D1"])
    assert df["district"].tolist() == ["D1"] and df["kwh"].tolist() == [690]
    total = cube.query(d1, ["kwh"], scope=["D1"])["kwh"].iloc[0]
    assert total == 690  # the scope's total, not the company's
    assert cube.query(d1, ["kwh"], scope=["C1"])["kwh"].iloc[0] == 690 + 82000
    evil = cube.query(d1, ["kwh"], by=["district"], where={"district": ["D2' OR '1'='1"]},
                      scope=["D1"])
    assert evil.empty
    assert cube.query(d1, ["kwh"], by=["district"], where={"district": ["D2"]},
                      scope=["D1"]).empty


def test_scope_in_reliability_and_quality(d1) -> None:
    r = rel.indices(d1, 2025, "district", scope=["D2"])
    assert r["district"].tolist() == ["D2"]
    q = quality_report(d1, scope=["D1"])
    assert q.customers == 2 and q.unlocated.empty  # unlocated customers are in no region


@pytest.fixture
def users_db(mini_db: Path, monkeypatch) -> Path:
    store = connect_store(mini_db)
    add_user(store, "mgr", "regional_manager", PW, regions=("D1",))
    add_user(store, "ana", "analyst", PW)
    monkeypatch.setenv("GCRM_PASSWORD", PW)
    return mini_db


def test_cli_user_applies_scope(users_db: Path) -> None:
    r = CliRunner().invoke(cli, ["query", "--db", str(users_db), "--user", "mgr", "--measure",
                                 "kwh", "--by", "district"])
    assert r.exit_code == 0, r.output
    assert pd.read_csv(io.StringIO(r.output))["district"].tolist() == ["D1"]
    r = CliRunner().invoke(cli, ["reliability", "--db", str(users_db), "--user", "mgr",
                                 "--year", "2025"])
    assert pd.read_csv(io.StringIO(r.output))["district"].tolist() == ["D1"]


def test_cli_analyst_gets_no_personal_data(users_db: Path) -> None:
    r = CliRunner().invoke(cli, ["quality", "--db", str(users_db), "--user", "ana"])
    assert r.exit_code == 2 and "may not" in r.output
    r = CliRunner().invoke(cli, ["query", "--db", str(users_db), "--user", "ana", "--measure",
                                 "kwh"])
    assert r.exit_code == 0 and "83210" in r.output  # aggregates everywhere


def test_cli_wrong_password_exit_2_and_audited(users_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("GCRM_PASSWORD", "nope")
    r = CliRunner().invoke(cli, ["query", "--db", str(users_db), "--user", "mgr", "--measure",
                                 "kwh"])
    assert r.exit_code == 2 and "invalid user name or password" in r.output
    rows = audit.search(connect_store(users_db), user="mgr", action="login.failed")
    assert len(rows) == 1


def test_cli_user_commands_and_audit_verify(mini_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("GCRM_PASSWORD", PW)
    run = CliRunner().invoke
    assert run(cli, ["user", "add", "pl", "--role", "planner", "--region", "D2", "--db",
                     str(mini_db)]).exit_code == 0
    r = run(cli, ["user", "add", "pl2", "--role", "planner", "--region", "Atlantis", "--db",
                  str(mini_db)])
    assert r.exit_code == 2 and "unknown region id(s): Atlantis" in r.output
    monkeypatch.setenv("GCRM_PASSWORD", "weak")
    r = run(cli, ["user", "passwd", "pl", "--db", str(mini_db)])
    assert r.exit_code == 2 and "too short" in r.output
    assert run(cli, ["user", "disable", "pl", "--db", str(mini_db)]).exit_code == 0
    listing = run(cli, ["user", "list", "--db", str(mini_db)]).output
    assert "pl" in listing and "True" in listing and PW not in listing
    r = run(cli, ["audit", "verify", "--db", str(mini_db)])
    assert r.exit_code == 0 and "intact" in r.output
    store = connect_store(mini_db)
    store.execute("DROP TRIGGER audit_no_update")
    store.execute("UPDATE audit_log SET user = 'someone-else' WHERE id = 1")
    r = run(cli, ["audit", "verify", "--db", str(mini_db)])
    assert r.exit_code == 1 and "TAMPERED" in r.output
    set_password(store, "pl", PW + "x")


def test_generated_passwords_meet_the_policy() -> None:
    from gcrm.security.accounts import check_password_policy, generate_password

    for _ in range(20):
        pw = generate_password()
        check_password_policy("someone", pw)
        assert len(pw) >= 10


def test_demo_prints_one_account_per_role(tmp_path: Path) -> None:
    db = tmp_path / "d" / "gcrm.duckdb"
    r = CliRunner().invoke(cli, ["demo", "--db", str(db), "--customers", "300", "--months", "2",
                                 "--quiet"])
    assert r.exit_code == 0, r.output
    lines = [ln.split() for ln in r.output.splitlines() if ln.startswith("  ")]
    accounts = {ln[0]: ln[1] for ln in lines}
    assert set(accounts) == {"admin", "manager", "planner", "analyst", "agent"}
    store = connect_store(db)
    assert authenticate(store, "manager", accounts["manager"]).scope == ("220502",)
    assert authenticate(store, "analyst", accounts["analyst"]).scope is None
    # one-time passwords: the dashboard makes every demo account choose its own first
    flags = dict(store.execute("SELECT name, must_change_password FROM users"))
    assert flags == dict.fromkeys(accounts, 1)


# --------------------------------------------------------------------------- password change
NEW_PW = "Fresh-Start-2026"


def test_session_status_reports_expiry_and_the_must_change_flag(store) -> None:
    add_user(store, "otp", "analyst", PW, must_change=True)
    add_user(store, "ana", "analyst", PW)
    t0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    s1 = session_status(store, open_session(store, authenticate(store, "otp", PW), now=t0),
                        now=t0)
    assert s1.must_change_password and s1.expires_at == t0 + timedelta(hours=8)
    token = open_session(store, authenticate(store, "ana", PW), now=t0)
    assert not session_status(store, token, now=t0).must_change_password
    assert session_status(store, token, now=t0 + timedelta(hours=8)) is None  # expired
    close_session(store, token)
    assert session_status(store, token, now=t0) is None  # revoked
    assert session_status(store, "never-issued-token", now=t0) is None


def test_change_password_clears_the_flag_and_ends_other_sessions(store) -> None:
    add_user(store, "otp", "planner", PW, regions=("D1",), must_change=True)
    who = authenticate(store, "otp", PW)
    mine, other, third = (open_session(store, who) for _ in range(3))
    assert change_password(store, "otp", PW, NEW_PW, keep_token=mine) == 2
    assert resume_session(store, mine) == who  # the session that made the change goes on
    assert resume_session(store, other) is None and resume_session(store, third) is None
    assert not session_status(store, mine).must_change_password
    with pytest.raises(AuthError):
        authenticate(store, "otp", PW)
    assert authenticate(store, "otp", NEW_PW) == who
    entry = audit.search(store, user="otp", action="user.passwd")[0]
    assert entry["target"] == "otp"
    assert json.loads(entry["detail"]) == {"self_service": True, "was_required": True,
                                           "sessions_ended": 2}
    assert NEW_PW not in entry["detail"] and PW not in entry["detail"]
    assert audit.verify(store).ok


@pytest.mark.parametrize("new,rule", [
    ("Short1!", "length"), ("alllowercaseletters", "classes"),
    ("My-otp-Password-1", "name"), (PW, "reuse")])
def test_change_password_policy_names_the_rule(store, new: str, rule: str) -> None:
    add_user(store, "otp", "analyst", PW, must_change=True)
    token = open_session(store, authenticate(store, "otp", PW))
    with pytest.raises(PasswordPolicyError) as err:
        change_password(store, "otp", PW, new, keep_token=token)
    assert err.value.rule == rule and isinstance(err.value, AccountError)
    assert session_status(store, token).must_change_password  # nothing changed
    assert authenticate(store, "otp", PW).name == "otp"


def test_change_password_wrong_current_counts_towards_the_lockout(store) -> None:
    add_user(store, "ana", "analyst", PW)
    t0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    for _ in range(5):
        with pytest.raises(CurrentPasswordError):
            change_password(store, "ana", "not-it", NEW_PW, now=t0)
    with pytest.raises(AuthError, match="locked"):
        change_password(store, "ana", PW, NEW_PW, now=t0 + timedelta(minutes=1))
    with pytest.raises(AuthError, match="locked"):
        authenticate(store, "ana", PW, now=t0 + timedelta(minutes=1))
    failed = audit.search(store, user="ana", action="passwd.failed")
    assert len(failed) == 6 and json.loads(failed[1]["detail"])["locked"] is True
    change_password(store, "ana", PW, NEW_PW, now=t0 + timedelta(minutes=16))
    assert authenticate(store, "ana", NEW_PW).name == "ana"


def test_admin_can_set_a_one_time_password(store) -> None:
    add_user(store, "ana", "analyst", PW)
    set_password(store, "ana", NEW_PW, actor="admin", must_change=True)
    token = open_session(store, authenticate(store, "ana", NEW_PW))
    assert session_status(store, token).must_change_password
    set_password(store, "ana", PW, actor="admin")  # an admin-chosen password: no flag
    token = open_session(store, authenticate(store, "ana", PW))
    assert not session_status(store, token).must_change_password


def test_every_policy_rule_has_a_message_in_every_language() -> None:
    from gcrm.i18n import LANGS, MESSAGES

    for rule in ("length", "classes", "name", "reuse"):
        assert set(MESSAGES[f"pw.rule.{rule}"]) == set(LANGS)
