"""Running the warehouse: ``gcrm demo``, ``etl``, ``quality``, ``user``, ``audit``, ``backup``,
``restore`` and ``dashboard``."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from gcrm.cli.common import (
    DB_OPTION,
    PARTITION_BY_OPTION,
    ROW_LIMIT,
    USER_OPTION,
    BadInput,
    _os_user,
    ask_password,
    audit_action,
    handle_errors,
    open_as,
)


# --------------------------------------------------------------------------- demo
@click.command()
@DB_OPTION
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the demo input files [default: beside the warehouse, demo_input/].")
@click.option("--customers", default=20_000, show_default=True, type=int)
@click.option("--months", default=24, show_default=True, type=int)
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--end-month", default="2026-10", show_default=True, help="Last month (YYYY-MM).")
@click.option("--force", is_flag=True, help="Replace an existing warehouse.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@handle_errors
def demo(db: Path, out: Path | None, customers: int, months: int, seed: int, end_month: str,
         force: bool, quiet: bool) -> None:
    """Write the synthetic Tonghua demo input files and load them through `gcrm etl`."""
    if customers < 1:
        raise BadInput(f"--customers must be at least 1 (got {customers})")
    if months < 1:
        raise BadInput(f"--months must be at least 1 (got {months})")
    _check_demo_months(end_month, months)
    if db.exists() and not force:
        raise BadInput(f"warehouse {db} already exists; use --force to replace it")
    out = out or db.parent / "demo_input"
    for target in (db.parent, out.parent):
        _check_writable(target)
    from etl import demo as demo_mod
    from etl.pipeline import load
    from gcrm.storage import warehouse
    from gcrm.storage.files import replace_durably

    # Build into temporary places, then move into place: nothing half-written on failure.
    tmp_root = Path(tempfile.mkdtemp(prefix=".gcrm-demo-", dir=_existing_parent(db.parent)))
    try:
        tmp_in, tmp_db = tmp_root / "input", tmp_root / "gcrm.duckdb"
        counts = demo_mod.generate(tmp_in, customers=customers, months=months, seed=seed,
                                   end_month=end_month, progress=not quiet)
        if not quiet:
            click.echo("demo input: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        report = load(tmp_in, tmp_db, quiet=quiet, report_dir=tmp_root / "report")
        db.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            shutil.rmtree(out)
        shutil.move(str(tmp_in), str(out))
        with warehouse.load_lock(db):  # one rename: readers see the old or the new warehouse
            Path(f"{db}.wal").unlink(missing_ok=True)
            replace_durably(tmp_db, db)
        reports = db.parent / "loads" / f"load_{report.load_id:05d}"
        if reports.exists():
            shutil.rmtree(reports)
        shutil.move(str(tmp_root / "report"), str(reports))
        report.report_dir = str(reports)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    if not quiet:
        _print_summary(report)
    click.echo(f"demo warehouse ready: {db} (input files in {out})")
    _demo_accounts(db)
    _demo_portfolio(db)


#: one demo account per role; scoped roles get the demo's central district 东昌区
DEMO_ACCOUNTS = (("admin", "admin", ()), ("manager", "regional_manager", ("220502",)),
                 ("planner", "planner", ("220502",)), ("analyst", "analyst", ()),
                 ("agent", "service_agent", ("220502",)))


def _check_demo_months(end_month: str, months: int) -> None:
    """The demo's months must lie in the load's date window (settings date_min and
    date_max_ahead_days), or the load would reject most of what the demo wrote."""
    from datetime import date

    from etl.validate import DateWindow

    try:
        year, month = (int(x) for x in end_month.split("-"))
        last = date(year, month, 1)
    except ValueError as exc:
        raise BadInput(f"--end-month {end_month!r} is not a month YYYY-MM") from exc
    k = year * 12 + month - 1 - (months - 1)
    first = date(k // 12, k % 12 + 1, 1) if k >= 12 else date(1, 1, 1)
    window = DateWindow.from_settings()
    if last > window.last or first < window.first:
        raise BadInput(f"the demo's months {first:%Y-%m}..{last:%Y-%m} fall outside the dates a "
                       f"load accepts ({window.first}..{window.last}; settings date_min, "
                       "date_max_ahead_days): choose --end-month and --months inside it")


def _demo_accounts(db: Path) -> None:
    """Create the demo accounts with fresh one-time passwords and print them once."""
    from gcrm.security.accounts import add_user, generate_password, list_users
    from gcrm.storage.store import connect_store, store_path

    path = store_path(db)
    for suffix in ("", "-wal", "-shm"):  # a new demo warehouse starts a new store
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = connect_store(db)
    existing = {u["name"] for u in list_users(store)}
    click.echo("\ndemo accounts (one-time passwords, shown only now; each account chooses its "
               "own at first sign-in, in the dashboard or with `gcrm user change-password "
               "NAME`):")
    for name, role_name, regions in DEMO_ACCOUNTS:
        if name in existing:
            continue
        password = generate_password()
        add_user(store, name, role_name, password, regions, actor="gcrm demo", must_change=True)
        where = f"  regions {','.join(regions)}" if regions else ""
        click.echo(f"  {name:<8} {password}  ({role_name}){where}")


def _demo_portfolio(db: Path) -> None:
    """Give the demo's big customers of 东昌区 to the ``agent`` account (key accounts)."""
    from gcrm.accounts import queries as Q
    from gcrm.storage import warehouse
    from gcrm.storage.store import connect_store

    con, store = warehouse.connect(db, read_only=True), connect_store(db)
    try:
        ids = Q.key_accounts(con, store, Q.Viewer(None, ("220502",)))
        done = Q.reassign(con, store, Q.Viewer(), ids, "agent", user="gcrm demo",
                          reason="demo portfolio") if ids else []
    finally:
        store.close()
        con.close()
    click.echo(f"demo portfolio: {len(done)} big customers of 220502 assigned to agent")


def _existing_parent(path: Path) -> Path:
    path = path.resolve()
    while not path.exists():
        path = path.parent
    return path


def _check_writable(path: Path) -> None:
    """Fail early (exit 2) when ``path`` cannot be created: try a real file in its parent."""
    parent = _existing_parent(path)
    if not parent.is_dir():
        raise BadInput(f"cannot write to {path}: {parent} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise BadInput(f"cannot write to {path}: {exc.strerror}") from exc


# --------------------------------------------------------------------------- etl
@click.command()
@DB_OPTION
@click.option("--input", "input_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="Input folder.")
@click.option("--crs", type=click.Choice(["wgs84", "gcj02", "bd09"]), default="wgs84",
              show_default=True, help="Datum of the input coordinates.")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where summary.json and rejects.csv go [default: beside the warehouse].")
@click.option("--quiet", is_flag=True, help="No progress bars (for scripts).")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              show_default=True, help="spark: build a Parquet store with Apache Spark "
              "(docs/scale.md); --db then becomes a warehouse of views over it.")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Parquet store folder (with --engine spark).")
@PARTITION_BY_OPTION
@handle_errors
def etl(db: Path, input_dir: Path, crs: str, report_dir: Path | None, quiet: bool,
        engine: str, store: Path | None, partition_by: str | None) -> None:
    """Load an input folder (docs/input-contract.md) into the warehouse."""
    if engine == "spark":
        if store is None:
            raise BadInput("--engine spark needs --store DIR (the Parquet store to build)")
        from etl.scaleout.sparketl import load as spark_load

        _print_summary(spark_load(input_dir, store, db, crs=crs, quiet=quiet,
                                  report_dir=report_dir, partition_by=partition_by))
        click.echo(f"store: {store}; warehouse of views: {db}")
        return
    if store is not None or partition_by is not None:
        raise BadInput("--store and --partition-by go with --engine spark "
                       "(see `gcrm store export`)")
    from etl.pipeline import load

    report = load(input_dir, db, crs=crs, quiet=quiet, report_dir=report_dir)
    _print_summary(report)


def _print_summary(report) -> None:
    rows = [(c.file, c.read, c.loaded, c.rejected) for c in report.counts]
    w = max([len(r[0]) for r in rows] + [4])
    click.echo(f"\nload {report.load_id}: {report.input_dir} ({report.crs}) "
               f"in {report.seconds:.1f} s")
    click.echo(f"{'file':<{w}}  {'read':>10}  {'loaded':>10}  {'rejected':>10}")
    for f, r, lo, rej in rows:
        click.echo(f"{f:<{w}}  {r:>10,}  {lo:>10,}  {rej:>10,}")
    loc = report.locate
    if loc:
        click.echo("customers located: " + ", ".join(f"{k} {v:,}" for k, v in loc.items()))
    if report.repaired_regions:
        click.echo(f"regions repaired (make_valid): {', '.join(report.repaired_regions)}")
    click.echo(f"report: {report.report_dir}/summary.json and rejects.csv")


# --------------------------------------------------------------------------- quality
@click.command()
@DB_OPTION
@USER_OPTION
@click.option("--limit", default=20, show_default=True, type=ROW_LIMIT, help="Rows per list.")
@handle_errors
def quality(db: Path, user: str | None, limit: int) -> None:
    """Data-quality report: unlocated customers, suspected duplicates, rejects."""
    from gcrm.security import mask_frame
    from gcrm.storage.quality import quality_report

    principal, con, scope = open_as(db, user, "read_customers")
    r = quality_report(con, limit, scope=scope)
    if principal and not principal.can("read_pii"):
        r.unlocated, r.duplicates = mask_frame(r.unlocated), mask_frame(r.duplicates)
    audit_action(db, principal, "quality.view", rows=len(r.unlocated) + len(r.duplicates))
    click.echo(f"customers: {r.customers:,}")
    click.echo("\nby location status:\n" + r.by_status.to_string(index=False))
    click.echo(f"\nunlocated customers (top {limit} by kWh):")
    click.echo(r.unlocated.to_string(index=False) if len(r.unlocated) else "  none")
    click.echo("\nsuspected duplicates (same name + phone + address):")
    click.echo(r.duplicates.to_string(index=False) if len(r.duplicates) else "  none")
    if r.unattached:
        click.echo(f"\ncustomers of an unknown transformer area (kept, unattached): "
                   f"{r.unattached:,}")
    click.echo(f"\nrejected rows of load {r.last_load}:")
    click.echo(r.rejects.to_string(index=False) if len(r.rejects) else "  none")


# --------------------------------------------------------------------------- accounts
def _new_password(name: str, env: str = "GCRM_PASSWORD") -> str:
    password = os.environ.get(env)
    if password is None:
        password = ask_password(f"new password for {name}", name, confirm=True)
    return password


@click.group()
def user() -> None:
    """Accounts: add, disable, enable, passwd, change-password, list (passwords never as
    arguments)."""


@user.command("add")
@DB_OPTION
@click.argument("name")
@click.option("--role", "role_name", required=True,
              type=click.Choice(["admin", "regional_manager", "planner", "analyst",
                                 "service_agent"]))
@click.option("--region", "regions", multiple=True, help="Region id the user may see (repeat).")
@handle_errors
def user_add(db: Path, name: str, role_name: str, regions: tuple[str, ...]) -> None:
    """Add an account (password from $GCRM_PASSWORD or a prompt)."""
    from gcrm.security.accounts import add_user
    from gcrm.storage import warehouse
    from gcrm.storage.store import connect_store

    if regions and db.exists():
        con = warehouse.connect(db, read_only=True)
        known = {r[0] for r in con.execute("SELECT region_id FROM dim_region").fetchall()}
        unknown = [r for r in regions if r not in known]
        if unknown:
            raise BadInput(f"unknown region id(s): {', '.join(unknown)}")
    add_user(connect_store(db), name, role_name, _new_password(name), regions,
             actor=f"cli:{_os_user()}")
    where = f"; regions {', '.join(regions)}" if regions else ""
    click.echo(f"user {name} added ({role_name}{where})")


def _disable_command(command: str, disabled: bool, doc: str) -> click.Command:
    """``gcrm user disable`` / ``enable``: one body, two commands."""

    @user.command(command, help=doc)
    @DB_OPTION
    @click.argument("name")
    @handle_errors
    def set_disabled_cmd(db: Path, name: str) -> None:
        from gcrm.security.accounts import set_disabled
        from gcrm.storage.store import connect_store

        set_disabled(connect_store(db), name, disabled, actor=f"cli:{_os_user()}")
        click.echo(f"user {name} {'disabled' if disabled else 'enabled'}")

    return set_disabled_cmd


user_disable = _disable_command("disable", True, "Disable an account and end its sessions.")
user_enable = _disable_command("enable", False, "Enable a disabled account.")


@user.command("passwd")
@DB_OPTION
@click.argument("name")
@handle_errors
def user_passwd(db: Path, name: str) -> None:
    """Set a new password (from $GCRM_PASSWORD or a prompt); unlocks the account."""
    from gcrm.security.accounts import set_password
    from gcrm.storage.store import connect_store

    set_password(connect_store(db), name, _new_password(name), actor=f"cli:{_os_user()}")
    click.echo(f"password of {name} changed")


@user.command("change-password")
@DB_OPTION
@click.argument("name")
@handle_errors
def user_change_password(db: Path, name: str) -> None:
    """The user changes their own password (current one from $GCRM_PASSWORD or a prompt, new
    one from $GCRM_NEW_PASSWORD or a prompt); clears a one-time password."""
    from gcrm.security import AuthError
    from gcrm.security.accounts import change_password
    from gcrm.storage.store import connect_store

    current = os.environ.get("GCRM_PASSWORD")
    if current is None:
        current = ask_password(f"current password for {name}", name)
    new = _new_password(name, "GCRM_NEW_PASSWORD")
    try:
        change_password(connect_store(db), name, current, new)
    except AuthError as exc:
        raise BadInput(str(exc)) from exc
    click.echo(f"password of {name} changed")


@user.command("list")
@DB_OPTION
@handle_errors
def user_list(db: Path) -> None:
    """List accounts (never passwords)."""
    import pandas as pd

    from gcrm.security.accounts import list_users
    from gcrm.storage.store import connect_store

    rows = list_users(connect_store(db))
    if not rows:
        click.echo("no accounts")
        return
    df = pd.DataFrame(rows)
    df["regions"] = df["regions"].map(lambda r: ",".join(r) or "(all)")
    click.echo(df.to_string(index=False))


@click.group(invoke_without_command=True)
@DB_OPTION
@click.option("--user", "who", default=None, help="Entries of this user.")
@click.option("--action", default=None, help="Entries of this action (e.g. login.failed).")
@click.option("--limit", default=50, show_default=True, type=ROW_LIMIT)
@click.pass_context
@handle_errors
def audit(ctx: click.Context, db: Path, who: str | None, action: str | None,
          limit: int) -> None:
    """The audit log (latest first); `gcrm audit verify` checks the hash chain and the signed
    head, `gcrm audit export` appends a copy to a file kept elsewhere."""
    if ctx.invoked_subcommand is not None:
        return
    import pandas as pd

    from gcrm.security import audit as audit_mod
    from gcrm.storage.store import connect_store

    rows = audit_mod.search(connect_store(db), user=who, action=action, limit=limit)
    click.echo(pd.DataFrame(rows).to_string(index=False) if rows else "no entries")


def _tampered(problems: list[str]) -> None:
    for p in problems:
        click.echo(f"TAMPERED: {p}", err=True)
    sys.exit(1)


@audit.command("verify")
@DB_OPTION
@click.option("--export", "export_file", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also check the store against this copy (from `gcrm audit export`).")
@handle_errors
def audit_verify(db: Path, export_file: Path | None) -> None:
    """Verify the audit log's hash chain and signed head; exit code 1 when it was tampered
    with."""
    from gcrm.security import audit as audit_mod
    from gcrm.security import audit_export
    from gcrm.storage.store import connect_store

    store = connect_store(db)
    v = audit_mod.verify(store)
    problems = v.problems + (audit_export.verify_against(store, export_file)
                             if export_file else [])
    if problems:
        _tampered(problems)
    against = f"; matches {export_file}" if export_file else ""
    click.echo(f"audit log intact: {v.entries} entries{against}")


@audit.command("export")
@DB_OPTION
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSON-lines file to append to (created 0600).")
@handle_errors
def audit_export_cmd(db: Path, out: Path) -> None:
    """Append new audit entries and a signed checkpoint to --out (append-only JSON lines);
    exit code 1, writing nothing, when the log or the file was tampered with."""
    from gcrm.security import audit_export
    from gcrm.storage.store import connect_store

    r = audit_export.export(connect_store(db), out)
    if r.problems:
        _tampered(r.problems)
    click.echo(f"audit export {out}: {r.appended} new entries, {r.entries} in all")


@audit.command("seal")
@DB_OPTION
@click.option("--reason", required=True, help="Why the current state is accepted (kept).")
@handle_errors
def audit_seal(db: Path, reason: str) -> None:
    """Accept the audit log as it is after an investigation: logs the head problems found
    and signs the head again (needs $GCRM_AUDIT_KEY to mean anything)."""
    from gcrm.security import audit as audit_mod
    from gcrm.storage.store import connect_store

    store = connect_store(db)
    entry = audit_mod.seal(store, f"cli:{_os_user()}", reason)
    click.echo(f"audit log sealed at entry {entry}")


# --------------------------------------------------------------------------- backup
@click.command("backup")
@DB_OPTION
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@handle_errors
def backup_cmd(db: Path, out: Path, force: bool) -> None:
    """Back up the warehouse and the operational store (tar.gz with SHA-256 manifest)."""
    from gcrm.storage.backup import backup

    m = backup(db, out, force)
    audit_action(db, None, "backup", str(out), members=m["members"])
    size = sum(v["bytes"] for v in m["members"].values())
    click.echo(f"backup written: {out} ({size / 1e6:.1f} MB before compression)")


@click.command("upgrade")
@DB_OPTION
@handle_errors
def upgrade_cmd(db: Path) -> None:
    """Bring a warehouse built by an older GCRM up to this version (in a copy swapped in when
    done: before version 3 every customer gets its integer key and the monthly facts hold it;
    the rollups are rebuilt from the facts; the data stay; every customer's facts for the last
    12 months are stored if missing). Does nothing when the warehouse is current."""
    from gcrm import config
    from gcrm.cube.percustomer import TABLES
    from gcrm.cube.upgrade import missing_tables, per_customer, upgrade

    if not config.db_path(db).exists():
        raise BadInput(f"warehouse {config.db_path(db)} does not exist; build it with `gcrm demo`")
    missing, stored = missing_tables(db), per_customer(db)
    before, after = upgrade(db)
    if before != after:
        audit_action(db, None, "upgrade", str(db), schema_from=before, schema_to=after)
        click.echo(f"warehouse upgraded: schema {before} -> {after}")
    elif missing or not stored:
        built = [] if stored else list(TABLES.values())
        audit_action(db, None, "upgrade", str(db), tables_created=[*missing, *built])
        click.echo("warehouse upgraded: tables created: "
                   + ", ".join([*(f"{t} (empty until the next load)" for t in missing),
                                *(f"{t} (from the facts)" for t in built)]))


@click.command("restore")
@DB_OPTION
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing warehouse.")
@handle_errors
def restore_cmd(db: Path, archive: Path, force: bool) -> None:
    """Restore a backup after verifying every checksum."""
    from gcrm.storage import warehouse
    from gcrm.storage.backup import restore

    m = restore(archive, db, force)
    audit_action(db, None, "restore", str(archive), created_at=m["created_at"])
    click.echo(f"restored {db} from {archive} (backup of {m['created_at']}); checksums verified")
    with warehouse.connect(db, read_only=True) as con:
        older = warehouse.schema_problems(con)
    if older:  # a backup taken by an older GCRM
        click.echo(f"{db}: {older[0]}")


# --------------------------------------------------------------------------- dashboard
@click.command()
@DB_OPTION
@click.option("--port", default=8501, show_default=True, type=int)
@click.option("--host", default="localhost", show_default=True)
@handle_errors
def dashboard(db: Path, port: int, host: str) -> None:
    """Start the Streamlit dashboard on http://HOST:PORT."""
    import dashboards

    if not db.exists():
        raise BadInput(f"warehouse {db} does not exist; build it with `gcrm demo --db {db}`")
    app = Path(dashboards.__file__).resolve().parent / "app.py"
    env = {**os.environ, "GCRM_DB": str(db.resolve())}
    click.echo(f"GCRM dashboard: http://{host}:{port}  (warehouse {db}; Ctrl+C to stop)")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", host, "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    sys.stdout.flush()
    os.chdir(app.parent)
    # the process becomes the server (no child left behind when this one is stopped or killed)
    os.execve(sys.executable, cmd, env)


COMMANDS = (demo, etl, quality, user, audit, backup_cmd, restore_cmd, upgrade_cmd, dashboard)
