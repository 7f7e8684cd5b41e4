"""The message catalogues: gettext ``.po`` files per language, read with Babel.

``locales/en.po`` and ``locales/zh_CN.po`` hold the shared messages; a domain may keep its own
in ``locales/<domain>/en.po`` and ``locales/<domain>/zh_CN.po`` (a key lives in one file only).
``msgid`` is the key code asks
for (``"nav.home"``), ``msgstr`` the text, which may hold ``str.format`` fields (``{name}``).
A message that counts something has ``msgid_plural`` and one ``msgstr[i]`` per plural form of
the language; the ``Plural-Forms`` header (Babel's plural tables, CLDR) picks the form.

Why the ``.po`` files are read at first use instead of compiled ``.mo`` files:

- nothing to build: the wheel ships the ``.po`` sources and a checkout runs as it is, so a
  catalogue can never be older than the text it was compiled from;
- gettext semantics do not fit key msgids: an empty ``msgstr`` means "untranslated" in a
  ``.mo`` and ``gettext`` returns the msgid, whereas ``unit.customers`` is empty in English on
  purpose; an unknown key must raise :class:`KeyError`, not echo the key;
- the cost is small: Babel parses one catalogue in about 5-10 ms, once per process and only
  for the language asked for (the sign-in page reads one), plus about 40 ms of Babel imports
  that number formatting (:mod:`gcrm.i18n.numbers`) needs anyway.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

LANGS: tuple[str, ...] = ("en", "zh-CN")
DEFAULT_LANG = "en"

#: Name of each language in its own language (for the language switch).
LANG_NAMES: dict[str, str] = {"en": "English", "zh-CN": "简体中文"}

#: Babel (CLDR) locale of each language; ``locales/<locale>.po`` (and ``locales/*/<locale>.po``)
#: is its catalogue.
LOCALES: dict[str, str] = {"en": "en", "zh-CN": "zh_CN"}

LOCALE_DIR = Path(__file__).with_name("locales")

#: A message: its text, or the texts of its plural forms (``msgstr[0]``, ``msgstr[1]``, ...).
Text = str | tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """One language's messages (key -> text) and its plural rule (count -> form index)."""

    texts: dict[str, Text]
    plural: Callable[[int], int]


def normalize_lang(lang: str | None) -> str:
    """A supported language code for ``lang`` ('zh', 'zh_CN', 'zh-Hans' -> 'zh-CN')."""
    if not lang:
        return DEFAULT_LANG
    low = str(lang).replace("_", "-").lower()
    if low.startswith("zh"):
        return "zh-CN"
    return "en" if low.startswith("en") else DEFAULT_LANG


def catalogue_files(locale: str) -> list[Path]:
    """The ``.po`` files of ``locale``: the shared one first, then each domain's, by name."""
    return [LOCALE_DIR / f"{locale}.po", *sorted(LOCALE_DIR.glob(f"*/{locale}.po"))]


@cache
def catalogue(lang: str) -> Catalogue:
    """The catalogue of ``lang`` (one of :data:`LANGS`), parsed once per process.

    A key found in two files of the same language raises :class:`ValueError`.
    """
    from babel.messages.pofile import read_po  # deferred: only when a message is asked for

    locale = LOCALES[lang]
    texts: dict[str, Text] = {}
    plural_expr = ""
    for path in catalogue_files(locale):
        with path.open("rb") as fh:
            cat = read_po(fh, locale=locale, ignore_obsolete=True)
        plural_expr = plural_expr or cat.plural_expr
        for m in cat:
            if not m.id:  # the header entry has an empty msgid
                continue
            key = m.id[0] if m.pluralizable else m.id
            if key in texts:
                raise ValueError(f"{path}: message {key!r} is already in another catalogue")
            texts[key] = m.string
    return Catalogue(texts, gettext.c2py(plural_expr))


def _form(cat: Catalogue, text: Text, n: object) -> str:
    """The form of ``text`` for the count ``n`` (a fraction takes the last, "other", form)."""
    if isinstance(text, str):
        return text
    try:
        whole = int(n)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return text[-1]
    if whole != n:
        return text[-1]
    return text[min(cat.plural(abs(whole)), len(text) - 1)]


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The message ``key`` in ``lang``, with ``{field}``s filled from ``fmt``.

    An unknown key raises :class:`KeyError` (so a typo fails in tests, not silently in the
    UI). A language other than those in :data:`LANGS` falls back to English. A message that
    counts (a plural entry) gives its last form, the one for "many"; :func:`tn` picks by count.
    """
    text = catalogue(normalize_lang(lang)).texts[key]
    if not isinstance(text, str):
        text = text[-1]
    return text.format(**fmt) if fmt else text


def tn(key: str, n: object, /, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The message ``key`` in ``lang`` in its plural form for the count ``n`` (``ngettext``).

    ``{n}`` in the text is ``n`` unless ``fmt`` gives ``n`` (a formatted number, say); other
    fields come from ``fmt`` as in :func:`t`. A message without plural forms is returned as
    :func:`t` would.

    >>> tn("explorer.result", 1, "en"), tn("explorer.result", 8, "en")
    ('Result: 1 row', 'Result: 8 rows')
    >>> tn("explorer.result", 1, "zh-CN")
    '查询结果：1 行'
    """
    cat = catalogue(normalize_lang(lang))
    fmt.setdefault("n", n)
    return _form(cat, cat.texts[key], n).format(**fmt)


def unit_label(unit: str, lang: str = DEFAULT_LANG) -> str:
    """A measure's unit (``Measure.unit``) as shown in ``lang``; unknown units pass through."""
    key = f"unit.{unit}"
    return t(key, lang) if key in catalogue(normalize_lang(lang)).texts else unit


class Messages(Mapping[str, dict[str, str]]):
    """Every message as key -> {lang: text} (as :func:`t` gives it, fields unfilled).

    Read-only; built from the catalogues of every language at first access.
    """

    @cached_property
    def _all(self) -> dict[str, dict[str, str]]:
        keys = dict.fromkeys(k for lang in LANGS for k in catalogue(lang).texts)
        return {k: {lang: t(k, lang) for lang in LANGS if k in catalogue(lang).texts}
                for k in keys}

    def __getitem__(self, key: str) -> dict[str, str]:
        return self._all[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)


#: key -> {lang: text}, over every catalogue.
MESSAGES: Mapping[str, dict[str, str]] = Messages()
