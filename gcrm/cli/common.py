"""What every ``gcrm`` command shares: the --db and --user options, sign-in, auditing,
the exit-code mapping of errors and the output formats.

Exit codes: 0 success, 2 bad usage or bad input (one-line message naming what is wrong),
1 internal error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click

from gcrm import config

DB_OPTION = click.option(
    "--db", "db", envvar="GCRM_DB", default=lambda: config.get("db"), show_default="$GCRM_DB or "
    "data/gcrm.duckdb", type=click.Path(dir_okay=False, path_type=Path),
    help="Warehouse file.")


USER_OPTION = click.option(
    "--user", "user", default=None, envvar="GCRM_USER",
    help="Act as this account: its region scope and masking apply (password from "
         "$GCRM_PASSWORD or a prompt).")


def principal_for(db: Path, user: str | None, permission: str = "read_aggregates"):
    """Log ``user`` in (None = the local operator, unrestricted) and check ``permission``."""
    if user is None:
        return None
    from gcrm.security import AuthError, PermissionDenied, authenticate, require
    from gcrm.storage.store import connect_store

    password = os.environ.get("GCRM_PASSWORD")
    if password is None:
        password = click.prompt(f"password for {user}", hide_input=True, err=True)
    store = connect_store(db)
    try:
        principal = authenticate(store, user, password)
        require(principal.role_name, permission)
    except (AuthError, PermissionDenied) as exc:
        raise BadInput(str(exc)) from exc
    return principal


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
    BackupError, ...) or FileNotFoundError and need no handling in the commands.
    """

    @wraps(fn)
    def wrapper(*args, **kwargs):
        from etl.errors import InputError
        from gcrm.cube import CubeError

        try:
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
        click.echo(df.to_csv(index=False), nl=False)
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
