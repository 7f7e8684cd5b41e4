"""Safe report files: checked targets, safe batch names, atomic writes (temp file + rename).

A writer never touches the final path: it writes a temporary file in the same folder, which
is renamed over the target only when complete, so a failure leaves no partial file. The file
is made 0600 (owner only) before the rename.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gcrm.reports.data import ReportError
from gcrm.storage.files import make_private

EXTENSIONS = {"pdf": ".pdf", "xlsx": ".xlsx", "gpkg": ".gpkg", "geojson": ".geojson"}
_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)


def safe_component(text: str) -> str:
    """``text`` as one file-name component: word characters (any script) and '-' only.

    >>> safe_component("../东昌区/x")
    '东昌区_x'
    """
    out = _UNSAFE.sub("_", str(text)).strip("._")
    return out[:80] or "_"


def batch_name(region_id: str, name: str, period_slug: str, fmt: str) -> str:
    """``<region_id>_<name>_<period>.<ext>`` with every part made safe."""
    parts = (safe_component(region_id), safe_component(name), safe_component(period_slug))
    return "_".join(parts) + EXTENSIONS[fmt]


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would leave ``folder``."""
    target = (folder / name).resolve()
    if target.parent != folder.resolve() or name in ("", ".", ".."):
        raise ReportError(f"unsafe file name {name!r}: it would leave {folder}")
    return target


def check_target(out: Path, fmt: str, force: bool) -> None:
    """Raise :class:`ReportError` when ``out`` cannot (or may not) be written."""
    ext = EXTENSIONS[fmt]
    if out.suffix.lower() != ext:
        raise ReportError(f"--out {out} must end with {ext} for --format {fmt}")
    if out.is_dir():
        raise ReportError(f"--out {out} is a folder; give a file name")
    if out.exists() and not force:
        raise ReportError(f"{out} already exists; use --force to replace it")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ReportError(f"cannot write {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportError(f"cannot write {out}: folder {parent} is not writable")


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


@contextmanager
def atomic_target(out: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``out`` (same suffix, not yet created); made 0600 and
    renamed over ``out`` when the block succeeds, removed when it fails."""
    parent = out.parent if str(out.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(dir=parent, prefix=".gcrm-report-", suffix=out.suffix)
    except OSError as exc:
        raise ReportError(f"cannot write {out}: {exc.strerror}") from exc
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers create the file themselves (GDAL refuses an empty .gpkg)
    try:
        yield tmp
        make_private(tmp)  # exports hold customer data: owner only (docs/security.md)
        os.replace(tmp, out)
    except BaseException:
        _remove(tmp)
        raise
    finally:
        for extra in (Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            extra.unlink(missing_ok=True)
