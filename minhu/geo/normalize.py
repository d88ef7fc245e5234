"""Text normalisation shared by the gazetteer (its terms) and the resolver (the request's
text), so both sides meet in the same form: full-width letters and digits folded (NFKC),
spaces dropped, and Chinese numerals before a building/unit/grid word turned into digits
("三号楼" → "3号楼", "第二网格" → "第2网格", "十二栋" → "12栋").
"""

import re
import unicodedata

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_NUMERAL = "零〇一二两三四五六七八九十百"
# Only numerals that count something address-like are converted: "一" inside ordinary
# words ("一直", "统一") must stay as it is.
_COUNTED = re.compile(
    rf"(第)?([{_NUMERAL}]+)(?=号楼|号|栋|幢|座|单元|网格|层|楼|室|期|区)"
    rf"|(第)([{_NUMERAL}]+)"
)
_SPACES = re.compile(r"\s+")
# Most names need none of this: one search decides (full-width forms, spaces, numerals).
_NEEDS_WORK = re.compile(rf"[\s\uff00-\uffef\u3000{_NUMERAL}]")


def chinese_number(text: str) -> int | None:
    """'三' → 3, '十二' → 12, '二十' → 20, '一百零五' → 105, '一二' → 12 (digit by digit);
    None when ``text`` is not a numeral."""
    if not text or any(ch not in _NUMERAL for ch in text):
        return None
    if "十" not in text and "百" not in text:
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[ch]
    return total + current


def _convert(match: re.Match) -> str:
    prefix = match.group(1) or match.group(3) or ""
    numeral = match.group(2) or match.group(4)
    number = chinese_number(numeral)
    return prefix + (str(number) if number is not None else numeral)


def normalize(text: str | None) -> str:
    if not text:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if text.isascii() or not _NEEDS_WORK.search(text):
        return text.replace(" ", "") if text.isascii() else text
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub("", text)
    return _COUNTED.sub(_convert, text)
