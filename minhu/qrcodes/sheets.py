"""Printable A4 sheets: the QR code, the place, its community and a short instruction.

Font: ReportLab's built-in CID font STSong-Light (Adobe's Asian font pack). It needs no
font file and nothing is embedded, so a district's thousands of sheets stay a few MB; every
PDF reader and print shop RIP ships a substitute for it. The CJK fonts installed with the
browser here are OpenType/CFF (Noto CJK), which ReportLab cannot embed; set
MINHU_QR_FONT to the path of a TrueType (.ttf/.ttc with TrueType outlines) CJK font to
embed one instead.
"""

import io

import qrcode
from django.conf import settings
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from minhu.notices.links import public_url

INSTRUCTION = "扫码反映问题，社区先办"
DETAIL = "微信或手机相机扫一扫，即可在线反映本楼栋的问题；社区收到后先行办理，办不了的逐级上报。"
_font = None


def font_name() -> str:
    global _font
    if _font is None:
        path = getattr(settings, "MINHU_QR_FONT", "")
        if path:
            from reportlab.pdfbase.ttfonts import TTFont

            pdfmetrics.registerFont(TTFont("MinhuQR", path))
            _font = "MinhuQR"
        else:
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
            _font = "STSong-Light"
    return _font


def scan_url(code: str) -> str:
    return public_url(f"/qr/{code}/")


def qr_matrix(data: str) -> list[list[bool]]:
    """The code's modules (quiet zone included), from the qrcode library."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_png(data: str) -> bytes:
    """The same code as a PNG (for screens)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(out)
    return out.getvalue()


def draw_qr(c, data: str, x: float, y: float, size: float) -> None:
    """Drawn as vector squares, not a bitmap: sharp at any print size, and about three
    times faster than embedding an image (a district's batch has thousands of pages).
    Each row's run of dark modules is one rectangle."""
    matrix = qr_matrix(data)
    n = len(matrix)
    cell = size / n
    path = c.beginPath()
    for row, modules in enumerate(matrix):
        top = y + size - (row + 1) * cell
        col = 0
        while col < n:
            if modules[col]:
                start = col
                while col < n and modules[col]:
                    col += 1
                path.rect(x + start * cell, top, (col - start) * cell, cell)
            else:
                col += 1
    c.drawPath(path, stroke=0, fill=1)


def _centred(c, text: str, y: float, size: float, font: str) -> None:
    width, _ = A4
    # Long names shrink rather than run off the page.
    while size > 8 and pdfmetrics.stringWidth(text, font, size) > width - 30 * mm:
        size -= 1
    c.setFont(font, size)
    c.drawCentredString(width / 2, y, text)


def draw_sheet(c, place, code: str) -> None:
    """One page for one place."""
    font = font_name()
    width, height = A4
    community = place.community
    street = community.parent if community and community.parent_id else None
    c.setFillColorRGB(0.78, 0.09, 0.11)
    c.rect(0, height - 38 * mm, width, 38 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    _centred(c, "12345 一码通", height - 20 * mm, 30, font)
    _centred(c, "民有所呼  我有所应", height - 31 * mm, 14, font)
    c.setFillColorRGB(0, 0, 0)
    _centred(c, INSTRUCTION, height - 58 * mm, 26, font)
    size = 110 * mm
    draw_qr(c, scan_url(code), (width - size) / 2, height - 65 * mm - size, size)
    y = height - 65 * mm - size - 14 * mm
    _centred(c, str(place), y, 22, font)
    if place.address and place.address != str(place):
        _centred(c, place.address, y - 10 * mm, 13, font)
    area = " ".join(u.name for u in (street, community) if u is not None)
    _centred(c, f"责任社区：{area}", y - 19 * mm, 13, font)
    _centred(c, DETAIL, y - 30 * mm, 10.5, font)
    c.setFillColorRGB(0.4, 0.4, 0.4)
    # Full-width spaces as separators: the CID font has no glyph for "·".
    _centred(c, f"编码 {code}　　紧急情况请拨打 110、119、120　　热线 12345", 14 * mm, 9, font)
    c.setFillColorRGB(0, 0, 0)


def new_canvas(target, title: str):
    c = canvas.Canvas(target, pagesize=A4)
    c.setTitle(title)
    c.setAuthor("12345")
    return c


def single_sheet(place, code: str) -> bytes:
    out = io.BytesIO()
    c = new_canvas(out, f"一码通 {place}")
    draw_sheet(c, place, code)
    c.showPage()
    c.save()
    return out.getvalue()
