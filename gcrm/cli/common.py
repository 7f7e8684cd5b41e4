"""What every ``gcrm`` command shares: the --db and --user options, sign-in, auditing,
the exit-code mapping of errors and the output formats.

Exit codes: 0 success, 2 bad usage or bad input (one-line message naming what is wrong),
1 internal error.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click

from gcrm import config
from gcrm.storage.files import private_umask

DB_OPTION = click.option(
    "--db", "db", envvar="GCRM_DB", default=lambda: config.get("db"), show_default="$GCRM_DB or "
    "data/gcrm.duckdb", type=click.Path(dir_okay=False, path_type=Path),
    help="Warehouse file.")


USER_OPTION = click.option(
    "--user", "user", default=None, envvar="GCRM_USER",
    help="Act as this account: its region scope and masking apply (password from "
         "$GCRM_PASSWORD or a prompt).")


#: --partition-by of the commands that write a Parquet store (docs/scale.md)
PARTITION_BY_OPTION = click.option(
    "--partition-by", "partition_by", default=None, metavar="LEVELS",
    help="How the store splits its facts: comma-separated province, city, month "
         "[default: setting store_partitions, month].")


def format_option(default: str = "table"):
    """``--format csv|json|table``: how :func:`emit` prints the result."""
    return click.option("--format", "fmt", type=click.Choice(["csv", "json", "table"]),
                        default=default, show_default=True)


#: --format, printing a table by default (commands read by people)
FORMAT_OPTION = format_option("table")
#: --format, printing CSV by default (commands whose output is piped on)
CSV_FORMAT_OPTION = format_option("csv")


def lang_option(text: str | None = None):
    """``--lang``: the language of words and labels (:data:`gcrm.i18n.LANGS`); ``text``: its
    help."""
    from gcrm.i18n.catalog import DEFAULT_LANG, LANGS

    return click.option("--lang", type=click.Choice(LANGS), default=DEFAULT_LANG,
                        show_default=True, help=text)


#: --lang of the commands that describe things in words
LANG_OPTION = lang_option("Language of the words.")


def apply_options(options):
    """A decorator adding a shared list of click options (in the order listed) to a command."""
    def deco(fn):
        for opt in reversed(options):
            fn = opt(fn)
        return fn
    return deco


def principal_for(db: Path, user: str | None, permission: str = "read_aggregates"):
    """Log ``user`` in (None = the local operator, unrestricted) and check ``permission``.

    With the ``require_user`` setting on, the local operator is refused (exit 2); an account
    with a one-time password is refused until its password is changed.
    """
    if user is None:
        if user_required():
            raise BadInput("this installation requires --user NAME for data commands "
                           "(setting require_user, $GCRM_REQUIRE_USER)")
        return None
    from gcrm.security import AuthError, PermissionDenied, authenticate, require
    from gcrm.storage.store import connect_store

    password = os.environ.get("GCRM_PASSWORD")
    if password is None:
        password = ask_password(f"password for {user}", user)
    store = connect_store(db)
    try:
        principal = authenticate(store, user, password)
        _refuse_one_time_password(store, user)
        require(principal.role_name, permission)
    except (AuthError, PermissionDenied) as exc:
        raise BadInput(str(exc)) from exc
    return principal


def open_as(db: Path, user: str | None, permission: str = "read_aggregates"):
    """Sign ``user`` in (:func:`principal_for`, checking ``permission``), then open the
    warehouse read-only.

    Returns ``(principal, con, scope)``: the principal (None = the local operator), the
    connection (the caller closes it) and the principal's region scope (None = every region).
    """
    from gcrm.storage import warehouse

    principal = principal_for(db, user, permission)
    con = warehouse.connect(db, read_only=True)
    if problems := warehouse.schema_problems(con):  # what to do, not a query's error
        con.close()
        raise BadInput(f"warehouse {db}: {'; '.join(problems)}")
    return principal, con, (principal.scope if principal else None)


def _refuse_one_time_password(store, user: str) -> None:
    from gcrm.security import audit
    from gcrm.security.accounts import must_change_password

    if must_change_password(store, user):
        audit.record(store, user, "login.refused", user, reason="must change password",
                     via="cli")
        raise BadInput(f"user {user} still has a one-time password: choose a new one first "
                       f"(sign in to the dashboard, or `gcrm user change-password {user}`)")


_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def user_required() -> bool:
    """The ``require_user`` setting; a value that is neither true nor false is refused."""
    value = config.get("require_user").strip().lower()
    if value not in _TRUE + _FALSE:
        raise BadInput(f"setting require_user must be true or false (got {value!r})")
    return value in _TRUE


def ask_password(prompt: str, user: str, confirm: bool = False) -> str:
    """Prompt for a password on the terminal; exit 2 when there is none to ask on."""
    try:
        return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    except click.Abort:
        raise BadInput(f"no password given for {user}: set $GCRM_PASSWORD or type it at the "
                       "prompt (a terminal is needed)") from None


def audit_action(db: Path, principal, action: str, target: str | None = None, **detail) -> None:
    from gcrm.security import audit
    from gcrm.storage.store import connect_store

    actor = principal.name if principal else f"cli:{_os_user()}"
    audit.record(connect_store(db), actor, action, target, **detail)


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


class BadInput(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


def handle_errors(fn: Callable) -> Callable:
    """Map library errors to exit code 2 with a one-line message; others to exit code 1.

    Bad requests surface as ValueError subclasses (InputError, CubeError, AccountError,
    BackupError, ...) or FileNotFoundError and need no handling in the commands. The command
    runs with umask 077, so the files it creates (warehouse, ``.wal``, store, backups,
    exports, load reports) are private to their owner.
    """

    @wraps(fn)
    def wrapper(*args, **kwargs):
        from etl.errors import InputError
        from gcrm.cube import CubeError

        try:
            with private_umask():  # every file a command creates is 0600
                return fn(*args, **kwargs)
        except (InputError, CubeError, FileNotFoundError, ValueError) as exc:
            raise BadInput(str(exc)) from exc
        except click.ClickException:
            raise
        except BrokenPipeError:  # output piped into `head` and closed: not an error
            sys.stderr.close()
            sys.exit(0)
        except Exception as exc:  # an internal error: say so, exit 1
            click.echo(f"Internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)

    return wrapper


def emit(df, fmt: str) -> None:
    if fmt == "csv":
        from gcrm.security.exports import csv_text

        click.echo(csv_text(df), nl=False)  # formula-looking text made inert
    elif fmt == "json":
        click.echo(json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)),
                              ensure_ascii=False, indent=1))
    else:
        click.echo(df.to_string(index=False))


def _parse_where(items: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        if "=" not in item:
            raise BadInput(f"malformed --where {item!r}: expected DIMENSION=VALUE")
        k, v = item.split("=", 1)
        out.setdefault(k.strip(), []).append(v.strip())
    return out


# --------------------------------------------------------------------------- option types
#: the most rows a --limit may ask for
MAX_ROWS = 1_000_000_000
#: the widest distance (km) a trade-area option may ask for: more than any service area
MAX_KM = 500.0
#: the longest drive time (minutes) a trade-area option may ask for
MAX_MINUTES = 240.0


class FiniteRange(click.FloatRange):
    """A float in a range that is also finite (click's FloatRange lets ``nan`` through)."""

    def convert(self, value, param, ctx):
        rv = super().convert(value, param, ctx)
        if not math.isfinite(rv):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return rv


#: a --limit: 1 to MAX_ROWS rows
ROW_LIMIT = click.IntRange(1, MAX_ROWS)
#: a distance in km: more than 0, at most MAX_KM
KM = FiniteRange(0, MAX_KM, min_open=True)
#: a model exponent (Huff's alpha and beta): 0 to 10
EXPONENT = FiniteRange(0, 10)


def float_list(text: str, what: str, low: float, high: float,
               low_open: bool = True) -> list[float]:
    """Comma-separated numbers, each finite and in ``low``..``high`` (exit 2 otherwise)."""
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise BadInput(f"malformed {what} {text!r}: expected numbers separated by commas") \
            from None
    if not values:
        raise BadInput(f"{what} needs at least one number")
    for v in values:
        below = v <= low if low_open else v < low
        if not math.isfinite(v) or below or v > high:
            raise BadInput(f"{what} {v:g} is out of range: each value must be "
                           f"{'more than' if low_open else 'at least'} {low:g} and at most "
                           f"{high:g}")
    return values


def note_comparison(match, what: str = "") -> None:
    """Say on stderr which months a change compares (like for like, :mod:`gcrm.cube.comparison`):
    "note: changes (last year) compare Jan-Oct 2026 vs Jan-Oct 2025". Stdout stays data."""
    from gcrm.cube.comparison_words import comparison_words

    if match is not None:
        label = f" ({what})" if what else ""
        click.echo(f"note: changes{label} compare {comparison_words(match, 'en')}", err=True)


def note_suppressed(df, min_cell: int | None, fmt: str) -> None:
    """Under a table for people, say how many rows were suppressed. CSV and JSON stay
    machine-readable: a suppressed value is simply empty (CSV) or null (JSON)."""
    n = df.attrs.get("suppressed", 0) if min_cell is not None else 0
    if n and fmt == "table":
        click.echo(f"note: {n} row(s) suppressed: they describe fewer than {min_cell} customers "
                   "(or would reveal one that does); totals are true", err=True)
