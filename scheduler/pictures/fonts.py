"""Finding a CJK font of a free licence through matplotlib's font manager.

Pictures are drawn only with a font that has every glyph they need: a missing glyph would show as
an empty box, so where no such font is found pictures are not sent and a warning says why.
Installed Debian packages that work: fonts-noto-cjk (Noto Sans CJK, SIL OFL) and
fonts-wqy-microhei (WenQuanYi Micro Hei, Apache 2.0 / GPLv3 with font exception).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
"""Free-licence CJK families, best first (no SimHei, Microsoft YaHei or other non-free fonts)."""

PROBE = "跟单订单逾期交期计划实际进度预计交付准时率周报"
"""Characters any usable font must have; the full check is `missing_glyphs`."""


class FontUnavailable(Exception):
    """No usable CJK font: the message says what to install or configure."""


@dataclass(frozen=True, slots=True)
class CjkFont:
    path: Path
    family: str


@functools.lru_cache(maxsize=64)
def _charmap(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


def missing_glyphs(font: CjkFont, text: Iterable[str]) -> list[str]:
    """The characters of `text` (whitespace aside) that `font` has no glyph for, in order, once each."""
    cmap = _charmap(str(font.path))
    missing: list[str] = []
    for char in text:
        if not char.isspace() and ord(char) not in cmap and char not in missing:
            missing.append(char)
    return missing


def _usable(path: str) -> bool:
    try:
        cmap = _charmap(path)
    except (OSError, RuntimeError):
        return False
    return all(ord(char) in cmap for char in PROBE)


def find_cjk_font(configured: str | None = None) -> CjkFont:
    """The configured font file, else the best installed free CJK family; FontUnavailable otherwise."""
    from matplotlib import font_manager

    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise FontUnavailable(f"配置的字体文件不存在：{path}（[pictures] font_path）")
        if not _usable(str(path)):
            raise FontUnavailable(f"配置的字体缺少中文字形：{path}（[pictures] font_path）")
        font_manager.fontManager.addfont(str(path))
        return CjkFont(path, font_manager.FontProperties(fname=str(path)).get_name())
    by_family: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        by_family.setdefault(entry.name, entry.fname)
    for family in PREFERRED_FAMILIES:
        path = by_family.get(family)
        if path and _usable(path):
            return CjkFont(Path(path), family)
    # matplotlib caches its font list: a font installed after the cache was built is only on disk.
    for path in sorted(font_manager.findSystemFonts()):
        if _usable(path):
            font_manager.fontManager.addfont(path)
            return CjkFont(Path(path), font_manager.FontProperties(fname=path).get_name())
    raise FontUnavailable(
        "没有找到中文字体：请安装 fonts-noto-cjk 或 fonts-wqy-microhei（apt-get install -y fonts-wqy-microhei），"
        "或在 [pictures] font_path 指定一个字体文件"
    )
