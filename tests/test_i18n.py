"""The message catalogue: every key in every language, same format fields, no typos pass.

The catalogues are ``gcrm/i18n/locales/*.po`` (gettext, read with Babel); the keys code uses
are found by reading the code: literal ``t("...")``/``tn("...")`` keys, every string that
looks like a key (keys held in tables, passed on in variables), and the keys built at run
time (f-strings, ``+``), which :func:`_computed` lists with the values they take.
"""

from __future__ import annotations

import ast
import doctest
import re
import string
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from gcrm import i18n
from gcrm.i18n import LANGS, MESSAGES, format_quantity, t, tn
from gcrm.i18n.catalog import LOCALES, catalogue, catalogue_files
from gcrm.vocab import (
    CHANNELS,
    CUSTOMER_CLASSES,
    LOSS_STATUSES,
    RECORD_KINDS,
    RECORD_STATUSES,
    SERVICE_POINT_KINDS,
)

ROOT = Path(__file__).resolve().parent.parent
CODE = ("gcrm", "dashboards")


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
    with pytest.raises(KeyError):
        tn("no.such.key", 2, "en")


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


@pytest.mark.parametrize(("value", "lang", "kwargs", "expected"), [
    (83210.0, "en", {}, "83.21 K"),
    (83210.0, "zh-CN", {}, "8.32 万"),
    (12000.0, "zh-CN", {}, "1.20 万"),  # CLDR alone: 1.2万
    (999_999.0, "en", {}, "1,000.00 K"),  # the scale follows the value, not its rounding
    (2_500_000_000.0, "en", {}, "2.50 B"),
    (2.675, "en", {}, "2.67"),  # the float's exact value, as Python rounds it
    (42.0, "en", {}, "42.00"),
    (42.0, "en", {"whole": True}, "42"),
    (np.float32("nan"), "en", {}, "–"),
])
def test_format_number(value: float, lang: str, kwargs: dict, expected: str) -> None:
    assert i18n.format_number(value, lang, **kwargs) == expected


def test_doctests() -> None:
    for module in (i18n, i18n.catalog, i18n.numbers):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


# ------------------------------------------------------------------ the .po files


def _po_files(lang: str) -> list[Catalog]:
    cats = []
    for path in catalogue_files(LOCALES[lang]):
        with path.open("rb") as fh:
            cats.append(read_po(fh, locale=LOCALES[lang]))
    return cats


def _po(lang: str) -> list:
    """Every message of every ``.po`` file of ``lang``."""
    return [m for cat in _po_files(lang) for m in cat]


def test_every_domain_catalogue_has_every_language() -> None:
    domains = {lang: {p.parent.name for p in catalogue_files(LOCALES[lang])[1:]}
               for lang in LANGS}
    assert len({frozenset(d) for d in domains.values()}) == 1, domains


def _forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_po_files_hold_the_same_msgids() -> None:
    ids = {lang: {(m.id if isinstance(m.id, str) else m.id[0], m.pluralizable)
                  for m in _po(lang) if m.id} for lang in LANGS}
    en = ids["en"]
    for lang in LANGS:
        assert ids[lang] == en, f"{lang}: {sorted(ids[lang] ^ en)[:20]}"


def test_po_files_same_format_fields() -> None:
    fields: dict[str, dict[str, set[frozenset[str]]]] = {}
    for lang in LANGS:
        for m in _po(lang):
            if m.id:
                key = m.id if isinstance(m.id, str) else m.id[0]
                fields.setdefault(key, {})[lang] = {frozenset(_fields(s)) for s in _forms(m)}
    bad = {k: v for k, v in fields.items() if len(set().union(*v.values())) != 1}
    assert not bad, f"format fields differ between forms or languages: {bad}"


@pytest.mark.parametrize("lang", LANGS)
def test_po_file_header_and_entries(lang: str) -> None:
    for cat in _po_files(lang):
        _check_po_file(cat, lang)


def _check_po_file(cat: Catalog, lang: str) -> None:
    plural = get_plural(LOCALES[lang])  # Babel's plural table for the locale
    assert (cat.num_plurals, cat.plural_expr) == (plural.num_plurals, plural.plural_expr)
    assert cat.charset.lower() == "utf-8"
    assert not cat.fuzzy and not cat.obsolete
    for m in cat:
        if m.id:
            assert not m.fuzzy, f"{m.id} is fuzzy in {lang}"
            if m.pluralizable:
                assert m.id[0] == m.id[1], f"{m.id}: msgid_plural repeats the key"
                assert len(m.string) == cat.num_plurals, f"{m.id}: forms in {lang}"


def test_catalogues_ship_in_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["gcrm.i18n"]
    shipped = {p for g in globs for p in (ROOT / "gcrm" / "i18n").glob(g)}
    assert {p for lang in LANGS for p in catalogue_files(LOCALES[lang])} <= shipped


# ------------------------------------------------------------------ plurals


@pytest.mark.parametrize(("n", "expected"), [
    (0, "Result: 0 rows"), (1, "Result: 1 row"), (2, "Result: 2 rows"), (21, "Result: 21 rows"),
    (np.int64(1), "Result: 1 row"), (1.5, "Result: 1.5 rows"),
])
def test_plural_english(n: object, expected: str) -> None:
    assert tn("explorer.result", n, "en") == expected


def test_plural_english_other_messages() -> None:
    assert tn("audit.count", 1, "en") == "1 entry"
    assert tn("cust.card.timeline_more", 1, "en") == "1 older entry not shown."
    assert tn("cust.card.timeline_more", 3, "en") == "3 older entries not shown."
    assert tn("outages.cemi.count", 1, "en", count=1) == "1 customer"


@pytest.mark.parametrize("n", [0, 1, 2, 5, 21, 1000])
def test_plural_chinese_has_one_form(n: int) -> None:
    assert tn("explorer.result", n, "zh-CN") == f"查询结果：{n} 行"
    assert tn("audit.count", n, "zh-CN") == f"共 {n} 条"


@pytest.mark.parametrize("lang", LANGS)
def test_plural_form_follows_cldr(lang: str) -> None:
    """The catalogue's Plural-Forms pick the form of Babel's CLDR category for the count."""
    locale = Locale.parse(LOCALES[lang])
    order = [c for c in ("zero", "one", "two", "few", "many") if c in locale.plural_form.tags]
    order.append("other")
    rule = catalogue(lang).plural
    for n in range(0, 1001):
        assert rule(n) == order.index(locale.plural_form(n)), (lang, n)


def test_t_of_a_plural_message_gives_the_form_for_many() -> None:
    assert t("explorer.result", "en", n=8) == "Result: 8 rows"
    assert MESSAGES["explorer.result"] == {"en": "Result: {n} rows", "zh-CN": "查询结果：{n} 行"}


def test_tn_fills_n_unless_given() -> None:
    assert tn("explorer.result", 1234, "en", n="1,234") == "Result: 1,234 rows"
    assert tn("outages.notice.count", 1, lang="en", count=1, start="a", end="b") == \
        "1 customer to notify for a to b"
    assert tn("home.title", 2, "en") == "Overview"  # not a counting message: as t() gives it


# ------------------------------------------------------------------ keys used in code


@cache
def _parsed(d: str) -> tuple[tuple[Path, ast.AST], ...]:
    own = ROOT / "gcrm" / "i18n"
    return tuple((path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8")))
                 for path in sorted((ROOT / d).rglob("*.py")) if own not in path.parents)


def _trees(*dirs: str) -> Iterator[tuple[Path, ast.AST]]:
    """Every Python module under ``dirs`` (but the catalogue's own package), parsed."""
    for d in dirs:
        yield from _parsed(d)


def _message_calls(tree: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """(``t`` or ``tn``, key argument) of every call, ``t(...)`` or a page context's
    ``ctx.t(...)`` (the same with the language bound)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else \
                func.attr if isinstance(func, ast.Attribute) else None
            if name in ("t", "tn"):
                yield name, node.args[0]


def _literals(node: ast.expr) -> list[str] | None:
    """The keys a literal argument names: a string, or both branches of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _template(node: ast.AST) -> str | None:
    """``"outages.area.mode.{}"`` for ``f"outages.area.mode.{m}"`` or ``"..." + m``."""
    def part(p: ast.AST) -> str:
        if isinstance(p, ast.Constant) and isinstance(p.value, str):
            return p.value
        return _template(p) or "{}"

    if isinstance(node, ast.JoinedStr):
        return "".join(part(v) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return part(node.left) + part(node.right)
    return None


def _used_literal_keys(*dirs: str) -> set[tuple[Path, str, str]]:
    """(file, ``t``/``tn``, key) of every call with a literal key."""
    return {(path, func, key) for path, tree in _trees(*dirs)
            for func, arg in _message_calls(tree) for key in _literals(arg) or ()}


def test_every_key_used_by_the_dashboards_exists() -> None:
    used = _used_literal_keys("dashboards")
    assert used, "no t('...') calls found under dashboards/"
    missing = sorted((str(p), k) for p, _, k in used if k not in MESSAGES)
    assert not missing, f"keys used but not in the catalogue: {missing}"


def test_every_literal_key_exists_in_every_language() -> None:
    used = _used_literal_keys(*CODE)
    assert {p.parts[0] for p, _, _ in used} == set(CODE)
    missing = sorted((str(p), k) for p, _, k in used
                     if k not in MESSAGES or set(MESSAGES[k]) != set(LANGS))
    assert not missing, f"keys used but not in every catalogue: {missing}"
    plural = {k for k, text in catalogue("en").texts.items() if isinstance(text, tuple)}
    not_plural = sorted((str(p), k) for p, func, k in used if func == "tn" and k not in plural)
    assert not not_plural, f"tn() of a message without plural forms: {not_plural}"


#: Strings kept in code like message keys that are not message keys.
NOT_KEYS = {
    "login.ok",  # an audit-log action (dashboards/audit: the actions to filter on)
    # prefixes of value labels, "report.class" + "." + a class (gcrm/reports/labels.py)
    "report.channel", "report.class", "report.kind", "report.rel",
    "revenue.status",  # + "." + a line-loss status (gcrm/reports/labels.py)
}
#: Templates of strings built in code that are not message keys.
NOT_KEY_TEMPLATES = {
    "report.{}",  # a file name: report.pdf, report.xlsx (gcrm/reports/render.py)
}


def _namespaces() -> str:
    return "|".join(sorted({re.escape(k.split(".")[0]) for k in MESSAGES}))


def _kept_strings(tree: ast.AST) -> Iterator[ast.Constant]:
    """String constants kept where code keeps message keys: in a tuple, list or set, as a
    dict value, assigned or returned, or a branch of ``a if c else b`` (not call arguments:
    those are file names, audit-log actions...; ``t``/``tn`` arguments are checked above)."""
    def strings(node: ast.AST | None) -> Iterator[ast.Constant]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node
        elif isinstance(node, ast.IfExp):
            yield from strings(node.body)
            yield from strings(node.orelse)

    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            for elt in node.elts:
                yield from strings(elt)
        elif isinstance(node, ast.Dict):
            for value in node.values:
                yield from strings(value)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.Return):
            yield from strings(node.value)


def test_every_key_kept_in_code_exists() -> None:
    """Keys kept in tables and passed on in variables (``TABS``, column -> key maps)."""
    key_like = re.compile(rf"^({_namespaces()})(\.[A-Za-z0-9_%]+)+$")
    found = {(str(path), node.value) for path, tree in _trees(*CODE)
             for node in _kept_strings(tree) if key_like.match(node.value)}
    assert len(found) > 100
    missing = sorted((p, k) for p, k in found if k not in MESSAGES and k not in NOT_KEYS)
    assert not missing, f"key-like strings not in the catalogue (or add to NOT_KEYS): {missing}"


def _codes(exception: str) -> tuple[str, ...]:
    """The literal first arguments of every ``exception(...)`` raised in gcrm/."""
    return tuple(sorted({node.args[0].value for _, tree in _trees("gcrm")
                         for node in ast.walk(tree)
                         if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                         and node.func.id == exception and node.args
                         and isinstance(node.args[0], ast.Constant)}))


_PREFIXED = tuple((prefix, v) for prefix, values in (
    ("report.class.", CUSTOMER_CLASSES), ("report.channel.", CHANNELS),
    ("report.kind.", SERVICE_POINT_KINDS), ("revenue.status.", LOSS_STATUSES))
    for v in values)

#: Every key built at run time: its template -> the values of its ``{}`` (a tuple of values
#: for several). ``None``: the code shows the raw value when the catalogue has no message for
#: it (an open set). The values are the vocabularies' and the page constants' (named); the
#: domain modules' constants are in :func:`_computed`.
COMPUTED: dict[str, tuple | None] = {
    # customers: dashboards/customers, gcrm/customers
    "cust.kind.{}": RECORD_KINDS,
    "cust.status.{}": RECORD_STATUSES,
    "cust.seg.class.{}": (*CUSTOMER_CLASSES, "mixed"),
    # explorer: "" (no comparison) shows as "none", then gcrm.cube.operations.COMPARE
    "explorer.compare.{}": ("none", "yoy", "mom"),
    # overview: KPIS, LAYERS, the map's zoom buttons and levels of dashboards/overview
    "kpi.{}": ("customers", "kwh", "amount", "arrears", "online_share"),
    "ov.kind.{}": SERVICE_POINT_KINDS,
    "ov.layer.{}": ("service_points", "feeders", "outages", "population"),
    "ov.level.{}": ("district", "grid"),
    "ov.map.{}": ("in", "out", "reset"),
    "ov.member.{}.{}": None,
    # outages: INDICES, GROUPINGS, NOTICE_MODES of dashboards/outages
    "outages.area.mode.{}": ("feeders", "cells", "file"),
    "outages.area.pick.{}": ("cells", "file"),
    "outages.by.{}": ("district", "feeder", "substation"),
    "outages.cause.{}": None,
    "outages.index.{}": ("saifi", "saidi", "caidi", "asai", "maifi", "cemi_3", "celid_6h",
                         "rs_pct"),
    "report.class.{}": CUSTOMER_CLASSES,
    # reports: gcrm/reports (area levels, the model's trade and quality figures)
    "report.area.{}": ("district", "grid"),
    "report.col.{}": None,
    "report.quality.{}": ("customers_on_record", "customers_with_consumption",
                          "duplicate_groups", "rejected_rows_last_load", "unlocated_warehouse"),
    "report.trade.{}": ("service_points", *(f"service_points_{k}" for k in SERVICE_POINT_KINDS),
                        "customers", "customers_homed_here", "residents",
                        "customers_per_service_point", "penetration_per_1000"),
    # gcrm/reports/labels.py: VALUE_KEYS prefix + "." + value
    "{}.{}": (*((p[:-1], v) for p, v in _PREFIXED),
              ("report.rel", "all"), ("report.rel", "excluding_planned")),
    # trade areas: dashboards/tradearea (AREA_TYPES, the choices of its widgets)
    "ta.center.{}": ("service_point", "point"),
    "ta.col.{}": ("kwh", "amount", "paid", "arrears"),
    "ta.demand.{}": ("households", "resident", "customers"),
    "ta.hull.{}": ("convex", "concave"),
    "ta.metric.{}": ("customers", "residential_customers", "kwh", "amount", "paid", "arrears",
                     "kwh_per_customer", "arrears_per_customer", "payments", "online_share",
                     "counter_share", "customer_interruptions", "interruptions_per_customer",
                     "outage_minutes_per_customer", "resident", "floating", "penetration",
                     "potential_customers", "potential_per_1000_residents", "before", "after",
                     "total", "before_share", "after_share"),
    "ta.type.{}": ("rings", "drivetime", "voronoi", "customers", "huff"),
    "ta.weight.{}": ("resident", "floating", "population", "customers"),
    # dashboards/tradearea/views.py translate(value, prefix)
    "{}{}": _PREFIXED,
}


@cache
def _computed() -> dict[str, tuple | None]:
    """:data:`COMPUTED` and the keys whose values are the domain modules' constants or the
    codes their exceptions raise with."""
    from gcrm.customers.duplicates import RULES
    from gcrm.customers.risk import MODELS
    from gcrm.customers.segments import PATTERNS
    from gcrm.overview.queries import FILTER_DIMS
    from gcrm.reports.gis import CRS_CHOICES
    from gcrm.spatial.classify import METHODS
    from gcrm.spatial.crs import DATUMS
    from gcrm.tradearea.queries import LAYERS, SEGMENTS

    return {
        **COMPUTED,
        "cust.dup.rule.{}": RULES,
        "cust.risk.by.{}": tuple(MODELS),
        "cust.risk.col.{}": tuple(MODELS),
        "cust.risk.col.{}_why": tuple(MODELS),
        "cust.risk.f.{}": tuple(f.name for m in MODELS.values() for f in m.factors),
        "cust.seg.pattern.{}": PATTERNS,
        "ov.filter.{}": FILTER_DIMS,
        "ov.method.{}": METHODS,
        "outages.area.datum.{}": ("auto", *DATUMS),
        "outages.err.{}": _codes("NoticeError"),
        "pw.rule.{}": _codes("PasswordPolicyError"),
        "report.crs.{}": CRS_CHOICES,
        "ta.layer.{}": (*LAYERS, "huff_areas"),
        "ta.segment.{}": SEGMENTS,
        "ta.segment.{}.help": SEGMENTS,
    }


def _templates_in_code() -> dict[str, set[str]]:
    """Template -> files, of every key built in code: a ``t``/``tn`` argument built at run
    time, or any f-string / ``+`` that starts like a key (kept in a variable first)."""
    starts = re.compile(rf"^({_namespaces()})\.")
    found: dict[str, set[str]] = {}
    for path, tree in _trees(*CODE):
        args = {id(arg) for _, arg in _message_calls(tree)}
        for node in ast.walk(tree):
            tpl = _template(node)
            if tpl and "{}" in tpl and (id(node) in args or starts.match(tpl)):
                found.setdefault(tpl, set()).add(str(path))
    return found


def test_every_computed_key_is_listed() -> None:
    found, listed = _templates_in_code(), _computed()
    assert len(found) > 20
    unlisted = {k: sorted(v) for k, v in found.items()
                if k not in listed and k not in NOT_KEY_TEMPLATES}
    assert not unlisted, f"keys built in code: list their values in _computed(): {unlisted}"


def test_every_listed_computed_key_is_built_in_code() -> None:
    stale = set(_computed()) - set(_templates_in_code())
    assert not stale, f"listed in _computed() but no longer built in code: {sorted(stale)}"


def test_every_computed_key_exists_in_every_language() -> None:
    missing = []
    for template, values in _computed().items():
        for v in values or ():
            key = template.format(*(v if isinstance(v, tuple) else (v,)))
            if key not in MESSAGES or set(MESSAGES[key]) != set(LANGS):
                missing.append((template, key))
    assert not missing, f"computed keys not in every catalogue: {missing}"


def test_computed_templates_match_catalogue_keys() -> None:
    """A template that no longer matches any message is stale (its code is gone)."""
    keys = list(MESSAGES)
    for template in _computed():
        rx = re.compile("^" + re.escape(template).replace(r"\{\}", ".+") + "$")
        assert any(rx.match(k) for k in keys), template


def test_a_key_in_two_catalogues_is_refused(tmp_path, monkeypatch) -> None:
    from gcrm.i18n import catalog

    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    (tmp_path / "en.po").write_text(header + 'msgid "a.b"\nmsgstr "one"\n', encoding="utf-8")
    (tmp_path / "dom").mkdir()
    (tmp_path / "dom" / "en.po").write_text(header + 'msgid "a.b"\nmsgstr "two"\n',
                                            encoding="utf-8")
    monkeypatch.setattr(catalog, "LOCALE_DIR", tmp_path)
    catalog.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"a\.b"):
            catalog.catalogue("en")
    finally:
        monkeypatch.undo()
        catalog.catalogue.cache_clear()
