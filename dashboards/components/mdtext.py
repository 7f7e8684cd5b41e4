"""Text shown literally in Streamlit Markdown: the one escaping helper of the pages.

Streamlit renders ``st.markdown`` text (and the cells of ``st.table``) as Markdown, so a
masked name (``王*明``), an ageing bucket (``>180``: a block quote) or an id with ``_`` would
be formatted instead of shown. :func:`md` puts a backslash before every character Markdown
could read as syntax.

>>> md(">180"), md("王*明"), md("a_b [c]")
('\\\\>180', '王\\\\*明', 'a\\\\_b \\\\[c\\\\]')
"""

from __future__ import annotations

import re

#: the characters CommonMark may read as syntax (and the backslash itself)
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~-])")


def md(text: object) -> str:
    """``text`` shown literally in Markdown (masked names contain '*')."""
    return _SPECIAL.sub(r"\\\1", str(text))
