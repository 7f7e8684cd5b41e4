"""Imports the command modules that live outside gcrm/cli.py so they register on ``cli``.

A command module does ``from gcrm.cli import cli, DB_OPTION, ...`` and decorates its commands
with ``@cli.command()``; list it here.
"""

from __future__ import annotations

import gcrm.cli_tradearea  # noqa: F401
from gcrm import cli_customers, cli_notice, cli_overview, cli_report  # noqa: F401
