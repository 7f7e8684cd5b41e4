"""Benchmarks: ``python -m bench`` runs them all, ``python -m bench NAME`` runs one.

Every module here (except the runner) exposes ``main(argv: list[str] | None) -> int``.
"""
