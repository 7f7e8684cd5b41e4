"""``gcrm customers ...``: load-profile segments, risk lists, duplicates and merges
(docs/customers.md). Options only; the work is in :mod:`gcrm.customers` (the same functions as the
Customers page)."""

from __future__ import annotations

import click

from gcrm.cli.common import (
    DB_OPTION,
    FORMAT_OPTION,
    LANG_OPTION,
    ROW_LIMIT,
    USER_OPTION,
    BadInput,
    _os_user,
    audit_action,
    emit,
    handle_errors,
    open_as,
)


def _masked(principal, df):
    from gcrm.security import mask_frame

    return mask_frame(df) if principal and not principal.can("read_pii") else df


def _actor(principal) -> str:
    return principal.name if principal else f"cli:{_os_user()}"


@click.group()
def customers() -> None:
    """Customer 360 analytics: load-profile segments, risk lists, duplicates and merges."""


@customers.command("segments")
@DB_OPTION
@USER_OPTION
@click.option("--k", "k", default=8, show_default=True, type=click.IntRange(1, 20),
              help="Number of k-means clusters (an upper bound: clusters with the same "
                   "description are one segment).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--segment", "segment_no", default=None, type=int,
              help="List the customers of this segment (most typical first) instead.")
@click.option("--limit", default=50, show_default=True, type=ROW_LIMIT,
              help="Rows with --segment.")
@LANG_OPTION
@FORMAT_OPTION
@handle_errors
def segments_cmd(db, user, k, seed, segment_no, limit, lang, fmt) -> None:
    """Segments by monthly load profile, each explained in words, with size and share."""
    from gcrm.customers import queries as Q

    principal, con, scope = open_as(db, user, "read_customers")
    seg = Q.segments(con, scope=scope, k=k, seed=seed, lang=lang)
    if segment_no is not None:
        if segment_no not in set(seg.segments["segment"]):
            raise BadInput(f"unknown segment {segment_no}; segments are "
                           f"1..{len(seg.segments)}")
        df = _masked(principal, Q.members(con, seg, segment_no, scope, limit))
        audit_action(db, principal, "customers.segment_members", str(segment_no), rows=len(df))
        emit(df, fmt)
        return
    audit_action(db, principal, "customers.segments", None, k=k, rows=len(seg.segments))
    out = seg.segments[["segment", "customers", "share", "name", "words", "heating_ratio",
                        "summer_ratio", "peak_share", "valley_share", "trend_pct",
                        "median_kwh_month"]].copy()
    out["share"] = out["share"].round(4)
    if fmt == "table":
        click.echo(f"window {seg.window[0]}..{seg.window[1]}; {int(out['customers'].sum()):,} "
                   f"customers in {len(out)} segments; {seg.excluded:,} without 12 months "
                   "of history" if seg.window else "no customer has 12 months of history",
                   err=True)
    emit(out, fmt)


@customers.command("risk")
@DB_OPTION
@USER_OPTION
@click.option("--by", type=click.Choice(["arrears", "churn"]), default="arrears",
              show_default=True, help="Which risk to rank by.")
@click.option("--limit", default=20, show_default=True, type=ROW_LIMIT)
@click.option("--as-of", "as_of", default=None, help="Date YYYY-MM-DD [default: today].")
@LANG_OPTION
@FORMAT_OPTION
@handle_errors
def risk_cmd(db, user, by, limit, as_of, lang, fmt) -> None:
    """Customers to act on: arrears or churn risk score (0-100) with its main factors."""
    import pandas as pd

    from gcrm.customers import queries as Q
    from gcrm.storage.store import connect_store

    principal, con, scope = open_as(db, user, "read_customers")
    try:
        when = pd.Timestamp(as_of) if as_of else None
    except ValueError:
        raise BadInput(f"malformed --as-of {as_of!r}: expected YYYY-MM-DD") from None
    store = connect_store(db)
    try:
        df = Q.ranked(con, store, scope, by=by, limit=limit, as_of=when, lang=lang,
                      show_pii=not principal or principal.can("read_pii"))
    finally:
        store.close()
    audit_action(db, principal, "customers.risk", None, by=by, rows=len(df))
    emit(df, fmt)


@customers.command("duplicates")
@DB_OPTION
@USER_OPTION
@FORMAT_OPTION
@handle_errors
def duplicates_cmd(db, user, fmt) -> None:
    """Suspected duplicate customers (same name + phone, or the same normalised address)."""
    from gcrm.customers.duplicates import suspects
    from gcrm.storage.store import connect_store

    principal, con, scope = open_as(db, user, "read_customers")
    store = connect_store(db)
    try:
        df = _masked(principal, suspects(con, store, scope))
    finally:
        store.close()
    audit_action(db, principal, "customers.duplicates", None, rows=len(df))
    emit(df, fmt)


@customers.command("merge")
@DB_OPTION
@USER_OPTION
@click.argument("survivor")
@click.argument("merged")
@click.option("--reason", required=True, help="Why these are the same customer (kept).")
@handle_errors
def merge_cmd(db, user, survivor, merged, reason) -> None:
    """Merge customer MERGED into SURVIVOR: its CRM records move with history; undo with
    `gcrm customers unmerge`."""
    from gcrm.customers import merge as M
    from gcrm.storage.store import connect_store

    principal, con, scope = open_as(db, user, "merge_customers")
    store = connect_store(db)
    try:
        r = M.merge(con, store, survivor, merged, user=_actor(principal), reason=reason,
                    scope=scope)
    finally:
        store.close()
    click.echo(f"merge #{r.merge_id}: {r.merged_id} -> {r.survivor_id} "
               f"({len(r.records)} records moved)")


@customers.command("unmerge")
@DB_OPTION
@USER_OPTION
@click.argument("merge_id", type=int)
@click.option("--reason", required=True, help="Why the merge is undone (kept).")
@handle_errors
def unmerge_cmd(db, user, merge_id, reason) -> None:
    """Undo merge MERGE_ID: the records it moved go back to the merged customer."""
    from gcrm.customers import merge as M
    from gcrm.storage.store import connect_store

    principal, con, scope = open_as(db, user, "merge_customers")
    store = connect_store(db)
    try:
        r = M.unmerge(con, store, merge_id, user=_actor(principal), reason=reason, scope=scope)
    finally:
        store.close()
    click.echo(f"merge #{r.merge_id} undone: {len(r.records)} records back on {r.merged_id}")


@customers.command("merges")
@DB_OPTION
@USER_OPTION
@click.option("--customer", default=None, help="Only merges involving this customer.")
@click.option("--active", is_flag=True, help="Only merges not undone.")
@FORMAT_OPTION
@handle_errors
def merges_cmd(db, user, customer, active, fmt) -> None:
    """The merges recorded (newest first), with who, when, why and records moved."""
    from gcrm.customers import merge as M
    from gcrm.storage.store import connect_store

    principal, con, scope = open_as(db, user, "read_customers")
    store = connect_store(db)
    try:
        df = M.merges(store, customer, active_only=active)
    finally:
        store.close()
    if scope is not None and len(df):
        from gcrm.customers.queries import customer_exists

        ok = [customer_exists(con, s, scope) and customer_exists(con, m, scope)
              for s, m in zip(df["survivor_id"], df["merged_id"], strict=True)]
        df = df[ok]
    audit_action(db, principal, "customers.merges", customer, active=active, rows=len(df))
    emit(df, fmt)


COMMANDS = (customers,)
