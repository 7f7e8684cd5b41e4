"""The ``gcrm`` command: the group, and one module per domain that lists its ``COMMANDS``.

Commands only parse options and call the library (``gcrm.cli.common`` has what they share:
``--db``, ``--user``, exit codes, output formats). A module never imports this package's
``__init__``; :func:`register` adds each module's commands here, so there is no import cycle.

Exit codes: 0 success, 2 bad usage or bad input (one-line message naming what is wrong),
1 internal error.
"""

from __future__ import annotations

import click

from gcrm.cli import (
    admin,
    customers,
    forecast,
    inspect,
    key_accounts,
    notice,
    overview,
    query,
    reliability,
    report,
    revenue,
    scale,
    tariff,
    tradearea,
)

#: One line per module (features land without touching each other's lines).
MODULES = (
    admin,
    query,
    overview,
    reliability,
    notice,
    tradearea,
    customers,
    forecast,
    tariff,
    revenue,
    inspect,
    key_accounts,
    scale,
    report,
)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gcrm")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """GCRM — geographic CRM with OLAP dashboards for a power-supply company."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def register(group: click.Group) -> None:
    """Add every module's commands to ``group``."""
    for module in MODULES:
        for command in module.COMMANDS:
            group.add_command(command)


register(cli)


def main() -> None:
    cli(prog_name="gcrm")


if __name__ == "__main__":
    main()
