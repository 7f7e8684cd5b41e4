"""Place names in pinyin for English readers (known answers)."""

from __future__ import annotations

import pytest

from gcrm.placenames import label, romanize


@pytest.mark.parametrize(("name", "roman"), [
    ("梅河口市", "Meihekou City"),
    ("东昌区", "Dongchang District"),
    ("二道江区", "Erdaojiang District"),
    ("柳河县", "Liuhe County"),
    ("辉南县", "Huinan County"),
    ("集安市", "Ji'an City"),  # an apostrophe before a syllable starting with a vowel
    ("通化市", "Tonghua City"),
    ("吉林省", "Jilin Province"),
    ("长白朝鲜族自治县", "Changbai Korean Autonomous County"),  # 长 read cháng in place names
    ("长春市", "Changchun City"),
    ("西安市", "Xi'an City"),
])
def test_romanize_known_names(name: str, roman: str) -> None:
    assert romanize(name) == roman


def test_names_without_chinese_or_kind() -> None:
    assert romanize("") == ""
    assert romanize("220502") == ""  # an id, not a name: nothing to add
    assert romanize("通化") == "Tonghua"
    assert romanize("市") == "Shi"  # only the kind: kept as a name


def test_label_keeps_the_chinese_name_and_adds_pinyin_in_english() -> None:
    assert label("梅河口市", "en") == "梅河口市 Meihekou City"
    assert label("梅河口市", "zh-CN") == "梅河口市"
    assert label("873154033ffffff", "en") == "873154033ffffff"
    assert label("", "en") == ""
