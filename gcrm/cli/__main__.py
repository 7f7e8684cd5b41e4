"""``python -m gcrm.cli``: the ``gcrm`` command."""

from gcrm.cli import main

main()
