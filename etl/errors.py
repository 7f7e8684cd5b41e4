"""Errors that stop a load before anything is written (exit code 2)."""

from __future__ import annotations


class InputError(Exception):
    """Bad input folder: a missing file, a missing column, an unreadable file.

    The message always names the file (and the column when there is one).
    """

    def __init__(self, file: str, message: str, column: str | None = None) -> None:
        self.file = file
        self.column = column
        where = f"{file}: column {column!r}" if column else file
        super().__init__(f"{where}: {message}")
