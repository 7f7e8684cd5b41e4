"""The layout rules of docs/architecture.md that a linter does not check: short functions,
pages as functions, one home per module name, and the import contracts (import-linter)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_FUNCTION_LINES = 60
MAX_SCRIPT_LINES = 80
PAGES = ("overview", "explorer", "customers", "tradearea", "outages", "revenue", "reports",
         "audit", "tariff", "forecast", "accounts")


def _modules(*roots: str) -> list[Path]:
    return sorted(p for r in roots for p in (ROOT / r).rglob("*.py"))


def _function_lengths(path: Path) -> list[tuple[str, int, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            out.append((node.name, node.lineno, node.end_lineno - first + 1))
    return out


def test_no_function_is_longer_than_the_limit() -> None:
    long = [f"{p.relative_to(ROOT)}:{line} {name} ({n} lines)"
            for p in _modules("gcrm", "dashboards")
            for name, line, n in _function_lengths(p) if n > MAX_FUNCTION_LINES]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def _script_lines(path: Path) -> int:
    """Lines of module-level statements that run on import, other than imports, definitions,
    the docstring and assignments of constants and type aliases (capitalised names, private
    or not)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    n = 0
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef):
            continue
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        if targets and all(isinstance(t, ast.Name) and t.id.lstrip("_")[:1].isupper()
                           for t in targets):
            continue
        n += node.end_lineno - node.lineno + 1
    return n


def test_pages_are_functions() -> None:
    for page in PAGES:
        path = ROOT / "dashboards" / page / "page.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.FunctionDef) and n.name == "render" for n in tree.body), path
    scripts = {str(p.relative_to(ROOT)): n for p in _modules("dashboards")
               if (n := _script_lines(p)) > (MAX_SCRIPT_LINES if p.name == "app.py" else 0)}
    assert not scripts, f"module-level page code (only app.py may have up to {MAX_SCRIPT_LINES} " \
                        f"lines): {scripts}"


def test_script_lines_counts_what_runs_on_import(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text('"""doc"""\nimport os\nLIMIT = 3\nScope = tuple[str, ...] | None\nx = 1\n'
                 "if x:\n    print(x)\ndef g():\n    return 1\n", encoding="utf-8")
    assert _script_lines(f) == 3


def test_each_module_name_has_one_home_per_domain() -> None:
    """A concept lives in one module: no two modules of gcrm/ share a name, except the
    per-domain roles every domain has (queries.py, the package __init__)."""
    shared_roles = {"__init__", "__main__", "queries"}
    seen: dict[str, list[str]] = {}
    for p in _modules("gcrm"):
        if p.stem not in shared_roles:
            seen.setdefault(p.stem, []).append(str(p.relative_to(ROOT)))
    twice = {k: v for k, v in seen.items() if len(v) > 1 and k not in _CLI_MIRRORS}
    assert not twice, twice


#: gcrm/cli/<domain>.py is the command module of gcrm/<domain>/ by design
_CLI_MIRRORS = {"customers", "overview", "reliability", "tradearea", "report", "query"}


@pytest.mark.skipif(shutil.which("lint-imports", path=str(Path(sys.executable).parent)) is None,
                    reason="import-linter is installed by requirements/dev.txt")
def test_import_contracts_hold() -> None:
    """The layering contracts in pyproject.toml ([tool.importlinter])."""
    exe = Path(sys.executable).parent / "lint-imports"
    r = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
