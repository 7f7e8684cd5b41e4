"""The message catalogue: every key in every language, same format fields, no typos pass."""

from __future__ import annotations

import ast
import doctest
import re
import string
from pathlib import Path

import pytest

from gcrm import i18n
from gcrm.i18n import LANGS, MESSAGES, format_quantity, t

ROOT = Path(__file__).resolve().parent.parent


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_in_every_language(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == set(LANGS), f"{key}: languages {sorted(entry)} != {sorted(LANGS)}"
    for lang in LANGS:
        if not key.startswith("unit."):  # some units are empty in English on purpose
            assert entry[lang].strip(), f"{key} is empty in {lang}"


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_same_format_fields_in_every_language(key: str) -> None:
    fields = {lang: _fields(MESSAGES[key][lang]) for lang in LANGS}
    assert len({frozenset(f) for f in fields.values()}) == 1, f"{key}: {fields}"


def test_missing_key_raises() -> None:
    with pytest.raises(KeyError):
        t("no.such.key")
    with pytest.raises(KeyError):
        t("no.such.key", "zh-CN")


def test_format_fields_filled() -> None:
    assert t("home.period", "en", start="2025-11", end="2026-10") == \
        "Last 12 months: 2025-11 to 2026-10"
    assert "2025-11" in t("home.period", "zh-CN", start="2025-11", end="2026-10")


def test_chinese_text_is_chinese() -> None:
    assert re.search(r"[\u4e00-\u9fff]", t("home.title", "zh-CN"))
    assert not re.search(r"[\u4e00-\u9fff]", t("home.title", "en"))


@pytest.mark.parametrize(("given", "expected"), [
    ("zh-CN", "zh-CN"), ("zh", "zh-CN"), ("zh_CN", "zh-CN"), ("en", "en"), ("en-GB", "en"),
    (None, "en"), ("", "en"), ("fr", "en"),
])
def test_normalize_lang(given: str | None, expected: str) -> None:
    assert i18n.normalize_lang(given) == expected


@pytest.mark.parametrize(("value", "unit", "lang", "expected"), [
    (123456.0, "kWh", "zh-CN", "12.35 万kWh"),
    (123456789.0, "yuan", "zh-CN", "1.23 亿元"),
    (9999.0, "customers", "zh-CN", "9,999 户"),
    (1234567.0, "yuan", "en", "1.23 M yuan"),
    (12345.0, "kWh", "en", "12.35 K kWh"),
    (3000.0, "customers", "en", "3,000"),
    (12.5, "yuan", "en", "12.50 yuan"),
    (-25000.0, "yuan", "zh-CN", "-2.50 万元"),
    (0.125, "%", "en", "12.5%"),
    (None, "kWh", "en", "–"),
    (float("nan"), "kWh", "zh-CN", "–"),
])
def test_format_quantity(value: float | None, unit: str, lang: str, expected: str) -> None:
    assert format_quantity(value, unit, lang) == expected


def test_doctests() -> None:
    result = doctest.testmod(i18n)
    assert result.failed == 0 and result.attempted > 0


def _keys_used_in_dashboards() -> set[tuple[Path, str]]:
    """Literal first arguments of every ``t(...)`` call under dashboards/."""
    used = set()
    for path in (ROOT / "dashboards").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "t" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                used.add((path.relative_to(ROOT), node.args[0].value))
    return used


def test_every_key_used_by_the_dashboards_exists() -> None:
    used = _keys_used_in_dashboards()
    assert used, "no t('...') calls found under dashboards/"
    missing = sorted((str(p), k) for p, k in used if k not in MESSAGES)
    assert not missing, f"keys used but not in the catalogue: {missing}"
