"""Place names for English readers: the Chinese name stays, pinyin and the English kind follow.

``romanize("梅河口市") == "Meihekou City"``; ``label("梅河口市", "en") == "梅河口市 Meihekou City"``
and ``label("梅河口市", "zh-CN") == "梅河口市"``. Names keep their Chinese form everywhere (the
seed documents, the boundaries and the people who use GCRM write them so); the romanisation is
an aid on the English pages, in the style of Chinese road signs and maps: the specific name in
pinyin as one word (an apostrophe before a syllable starting with a, o or e: Ji'an), then the
administrative kind in English.
"""

from __future__ import annotations

from functools import cache

from pypinyin import Style, lazy_pinyin, load_phrases_dict

#: Administrative kinds, longest first.
KINDS: tuple[tuple[str, str], ...] = (
    ("自治县", "Autonomous County"), ("自治州", "Autonomous Prefecture"),
    ("自治旗", "Autonomous Banner"), ("林区", "Forest District"), ("新区", "New Area"),
    ("市", "City"), ("县", "County"), ("区", "District"), ("旗", "Banner"), ("盟", "League"),
    ("省", "Province"),
)
#: Peoples named in autonomous counties and prefectures.
PEOPLES: dict[str, str] = {"朝鲜族": "Korean", "满族": "Manchu", "蒙古族": "Mongol",
                           "回族": "Hui", "藏族": "Tibetan", "苗族": "Miao", "彝族": "Yi",
                           "壮族": "Zhuang", "土家族": "Tujia", "瑶族": "Yao", "侗族": "Dong"}
#: Readings of place names that the general dictionary gets wrong (长 in a place name is cháng).
PHRASES: dict[str, list[list[str]]] = {
    "长白": [["cháng"], ["bái"]], "长春": [["cháng"], ["chūn"]], "长岭": [["cháng"], ["lǐng"]],
    "长沙": [["cháng"], ["shā"]], "长治": [["cháng"], ["zhì"]], "长海": [["cháng"], ["hǎi"]],
}
load_phrases_dict(PHRASES)


def _word(chars: str) -> str:
    """Pinyin of ``chars`` as one capitalised word (Ji'an, Meihekou)."""
    out = ""
    for i, syl in enumerate(lazy_pinyin(chars, style=Style.NORMAL, errors="ignore")):
        if i and syl[:1] in ("a", "o", "e"):
            out += "'"
        out += syl
    return out[:1].upper() + out[1:]


@cache
def romanize(name: str) -> str:
    """``name`` in pinyin with its administrative kind in English ("" for no Chinese)."""
    if not name:
        return ""
    kind = ""
    for suffix, english in KINDS:
        if name.endswith(suffix) and len(name) > len(suffix):
            name, kind = name[: -len(suffix)], english
            break
    people = ""
    if kind.startswith("Autonomous"):
        for zh, en in PEOPLES.items():
            if name.endswith(zh):
                name, people = name[: -len(zh)], en
                break
    word = _word(name)
    if not word:
        return ""
    return " ".join(x for x in (word, people, kind) if x)


def label(name: str, lang: str) -> str:
    """``name`` for a reader of ``lang``: Chinese as is; English readers also get
    :func:`romanize` (when it gives anything)."""
    if lang.startswith("zh") or not name:
        return name
    roman = romanize(name)
    return f"{name} {roman}" if roman else name
