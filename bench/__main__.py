"""Tiny benchmark runner.

``python -m bench``                       run every benchmark module in bench/
``python -m bench region_assign``         run one (extra arguments go to it)
``python -m bench region_assign --points 200000 --repeat 3``
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def _modules() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    names = _modules()
    if args and not args[0].startswith("-"):
        name, rest = args[0], args[1:]
        if name not in names:
            print(f"unknown benchmark {name!r}; available: {', '.join(names)}", file=sys.stderr)
            return 2
        return importlib.import_module(f"bench.{name}").main(rest)
    status = 0
    for name in names:
        print(f"=== bench.{name}")
        status |= importlib.import_module(f"bench.{name}").main(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
