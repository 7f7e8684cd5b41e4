"""Private files: everything GCRM writes that holds customer or audit data is mode 0600.

The warehouse, the operational store, backups, audit exports and report exports are created
readable and writable by their owner only, since the command line's region scope and masking
are only as strong as the permissions of these files. Existing files keep their mode (an
administrator may have shared one with a group on purpose), also when a new version replaces
them by rename (:func:`keep_mode`). Lock files are private too (:func:`exclusive_lock`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

PRIVATE_MODE = 0o600
PRIVATE_UMASK = 0o077

#: Linux ioctl that clones a file's blocks (btrfs, XFS): a copy in constant time
_FICLONE = 0x40049409


@contextmanager
def private_umask(active: bool = True) -> Iterator[None]:
    """Within the block, files the process creates are 0600 and folders 0700.

    Used around library calls that create a file we cannot open ourselves (DuckDB creates the
    warehouse and its ``.wal``), and by the ``gcrm`` command for its whole run. The umask is
    per process, so the block is kept short outside the command line.
    """
    if not active:
        yield
        return
    old = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(old)


def create_private(path: str | os.PathLike) -> bool:
    """Create an empty ``path`` with mode 0600 unless it exists; True when it was created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def make_private(path: str | os.PathLike) -> None:
    """Set ``path`` to mode 0600 (a file we just wrote under a temporary name)."""
    os.chmod(path, PRIVATE_MODE)



def copy_private(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Copy ``src`` to the new file ``dst``, created 0600 (``FileExistsError`` if it exists).

    Where the file system can clone blocks (btrfs, XFS) the copy shares them and takes no
    time; elsewhere the kernel copies (``sendfile``).
    """
    if not create_private(dst):
        raise FileExistsError(f"{dst} exists")
    with open(src, "rb") as fin, open(dst, "r+b") as fout:
        try:
            fcntl.ioctl(fout.fileno(), _FICLONE, fin.fileno())
            return
        except OSError:
            pass
    shutil.copyfile(src, dst)


def keep_mode(like: os.stat_result, path: str | os.PathLike) -> None:
    """Give ``path`` the permission bits (and, where allowed, the group) of ``like``: a file
    that replaces another keeps what an administrator set on the original."""
    os.chmod(path, stat.S_IMODE(like.st_mode))
    if os.stat(path).st_gid != like.st_gid:
        with suppress(OSError):  # not a member of that group: the file keeps ours
            os.chown(path, -1, like.st_gid)


def replace_durably(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Rename ``src`` over ``dst`` (atomic on POSIX) and flush the folder entry to disk."""
    os.replace(src, dst)
    fd = os.open(Path(dst).parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def exclusive_lock(path: Path) -> Iterator[str | None]:
    """Try to take an exclusive ``flock`` on the lock file ``path`` (created 0600), no waiting.

    Yields None while this process holds the lock, else what the holder wrote in the file (its
    process id, possibly empty). The holder removes the file when the block ends; a process
    that locked the file in the meantime sees that it is no longer at ``path`` and retries, so
    removing it is safe. A process that dies loses its lock with it (the kernel drops it).
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            yield holder
            return
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, path):
            break
        os.close(fd)  # removed by its holder before we locked it: take the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield None
    finally:
        Path(path).unlink(missing_ok=True)  # still held: nobody else has it yet
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (st.st_dev, st.st_ino)
