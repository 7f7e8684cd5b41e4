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


def bad_setting(name: str, value: str, expected: str) -> InputError:
    """An :class:`InputError` for an unusable setting (named by its environment variable)."""
    return InputError(f"GCRM_{name.upper()}", f"{value!r} is not {expected}")


def brief(exc: BaseException, limit: int = 200) -> str:
    """First line of an exception message, capped: library messages may quote whole rows."""
    lines = str(exc).strip().splitlines()
    text = lines[0].rstrip(" :") if lines else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
