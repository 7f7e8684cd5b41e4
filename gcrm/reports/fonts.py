"""CJK fonts for PDFs and charts.

ReportLab embeds TrueType outlines only, and Debian's ``fonts-noto-cjk`` ships OpenType
collections with PostScript (CFF) outlines, which ``reportlab.pdfbase.ttfonts.TTFont``
rejects ("postscript outlines are not supported"). So for each report we cut a subset of
Noto Sans CJK SC holding just the characters the report uses (fontTools), convert its
outlines to TrueType quadratics (cu2qu) and register that: the PDF embeds a few hundred
kilobytes at most and renders the same everywhere. Matplotlib draws with the same file.

When no Noto CJK font is found (``$GCRM_CJK_FONT`` may name one), the PDF falls back to
ReportLab's built-in CID font ``STSong-Light`` (not embedded: viewers substitute a local
Song font) and charts use DejaVu Sans (Chinese labels then show as boxes).
"""

from __future__ import annotations

import atexit
import glob
import hashlib
import os
import shutil
import string
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: searched in order; the first that exists is used
CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-{weight}.otf",
    "/usr/share/fonts/**/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/**/NotoSansCJKsc-{weight}.otf",
    "/System/Library/Fonts/**/NotoSansCJK-{weight}.ttc",
)
FALLBACK_CID = "STSong-Light"
#: always in the subset: ASCII and the punctuation the writers add themselves
BASE_CHARS = set(string.printable) | set("–—…·、，。：；（）《》“”‘’%‰±×÷→←↑↓▲▼●○■□ ")

_TMP: list[str] = []


@dataclass(frozen=True)
class Fonts:
    regular: str  # ReportLab font name
    bold: str
    ttf_regular: str | None  # TrueType file for matplotlib (None: fallback)
    ttf_bold: str | None
    embedded: bool


def _find(weight: str) -> str | None:
    env = os.environ.get("GCRM_CJK_FONT")
    if env and weight == "Regular" and Path(env).is_file():
        return env
    for pattern in CANDIDATES:
        for path in sorted(glob.glob(pattern.format(weight=weight), recursive=True)):
            if Path(path).is_file():
                return path
    return None


def _tmpdir() -> str:
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="gcrm-fonts-"))
        atexit.register(shutil.rmtree, _TMP[0], True)
    return _TMP[0]


def _load_sc(path: str):
    """(the Simplified-Chinese face of a collection or the font itself, its container to
    close when done)."""
    from fontTools.ttLib import TTCollection, TTFont

    if path.lower().endswith((".ttc", ".otc")):
        coll = TTCollection(path, lazy=True)
        for font in coll.fonts:
            if "CJK SC" in (font["name"].getDebugName(4) or ""):
                return font, coll
        return coll.fonts[0], coll
    font = TTFont(path, lazy=True)
    return font, font


def _to_truetype(font) -> None:
    """Replace CFF outlines by TrueType quadratic outlines, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    if "glyf" in font:
        return
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    del font["CFF "]
    for tag in ("VORG", "DSIG"):
        if tag in font:
            del font[tag]
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxPoints", "maxContours", "maxCompositePoints",
                 "maxCompositeContours", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones, maxp.numGlyphs = 1, len(order)
    font["maxp"] = maxp
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


@lru_cache(maxsize=32)
def _subset_ttf(path: str, chars: str) -> str:
    """A TrueType file with the glyphs of ``chars`` cut from ``path`` (cached per process)."""
    from fontTools import subset

    font, container = _load_sc(path)
    try:
        opts = subset.Options()
        opts.name_IDs, opts.notdef_outline, opts.hinting = ["*"], True, False
        opts.layout_features = []
        opts.drop_tables += ["GSUB", "GPOS", "VORG", "DSIG", "BASE"]
        sub = subset.Subsetter(opts)
        sub.populate(text=chars)
        sub.subset(font)
        _to_truetype(font)
        digest = hashlib.sha256((path + chars).encode()).hexdigest()[:16]
        out = os.path.join(_tmpdir(), f"cjk-{digest}.ttf")
        font.save(out)
    finally:
        container.close()
    return out


def charset(texts) -> str:
    """The sorted characters of ``texts`` plus :data:`BASE_CHARS`, as one string."""
    chars = set(BASE_CHARS)
    for s in texts:
        if s is not None:
            chars.update(str(s))
    return "".join(sorted(c for c in chars if c.isprintable() or c == " "))


def register(chars: str) -> Fonts:
    """ReportLab fonts covering ``chars`` (embedded Noto subset, else the CID fallback)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = _find("Regular"), _find("Bold") or _find("Regular")
    if regular:
        try:
            digest = hashlib.sha256(chars.encode()).hexdigest()[:10]
            files = []
            for weight, path in (("R", regular), ("B", bold)):
                ttf = _subset_ttf(path, chars)
                name = f"GCRMCJK{weight}-{digest}"
                if name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(name, ttf))
                files.append((name, ttf))
            return Fonts(files[0][0], files[1][0], files[0][1], files[1][1], True)
        except Exception:  # a broken or unexpected font file: use the built-in CID font
            pass
    if FALLBACK_CID not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID))
    return Fonts(FALLBACK_CID, FALLBACK_CID, None, None, False)
