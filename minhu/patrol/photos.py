"""Photos taken on patrol: checked at the edge and re-encoded before they are kept.

Re-encoding with Pillow (decode, turn upright, shrink, save as a fresh JPEG) means what we
store is pixels we produced ourselves: no EXIF (the phone's GPS track and serial number
stay on the phone), no polyglot file that is an image and a script at once, no trailing
payload after the image data.
"""

import io
import os

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from minhu.core.errors import ValidationFailed

ALLOWED_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: JPEGs from some phone cameras
LONG_EDGE = 2048
MAX_PIXELS = 50_000_000  # a decompression bomb is refused before it is decoded


def max_photos() -> int:
    return int(getattr(settings, "MINHU_PATROL_MAX_PHOTOS", 6))


def max_bytes() -> int:
    return int(getattr(settings, "MINHU_PATROL_PHOTO_MAX_BYTES", 8 * 1024 * 1024))


def clean_photos(files: list) -> list[ContentFile]:
    if len(files) > max_photos():
        raise ValidationFailed(f"最多上传 {max_photos()} 张照片", code="too_many_files")
    return [clean_photo(f, i + 1) for i, f in enumerate(files)]


def clean_photo(uploaded, number: int = 1) -> ContentFile:
    """A fresh JPEG made from the upload, or a refusal naming the photo."""
    which = f"第 {number} 张照片"
    ext = os.path.splitext(getattr(uploaded, "name", "") or "")[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationFailed(f"{which}不是图片，请上传 JPG、PNG 或 WebP 格式的照片",
                               code="bad_file_type")
    size = getattr(uploaded, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed(f"{which}是空文件", code="empty_file")
    if size > max_bytes():
        raise ValidationFailed(f"{which}过大（最大 {max_bytes() // 2**20} MB）",
                               code="file_too_large")
    try:
        with Image.open(uploaded) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in ALLOWED_FORMATS:
                raise ValidationFailed(f"{which}的格式不受支持（仅 JPG、PNG、WebP）",
                                       code="bad_file_type")
            if width * height > MAX_PIXELS:
                raise ValidationFailed(f"{which}像素过多，请压缩后再上传", code="file_too_large")
            probe.verify()
        uploaded.seek(0)
        with Image.open(uploaded) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((LONG_EDGE, LONG_EDGE))
            if image.mode not in ("RGB", "L"):
                image = _flatten(image)
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError):
        raise ValidationFailed(f"{which}已损坏或不是图片，请重新拍摄",
                               code="bad_file_content") from None
    return ContentFile(out.getvalue(), name=f"巡查照片{number}.jpg")


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent PNGs on white, palettes and CMYK to RGB."""
    rgba = image.convert("RGBA")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.getchannel("A"))
    return white
