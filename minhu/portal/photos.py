"""Citizen photos: decoded and re-encoded before anything keeps them.

Re-encoding with Pillow drops everything that is not pixels: EXIF (the phone's GPS
position, its serial number), comments, appended scripts or archives (polyglot files).
Only what Pillow decodes as JPEG, PNG, WebP or GIF is accepted, and the declared pixel
count is checked before the pixels are decoded, so a small file announcing a gigantic
image (a decompression bomb) is refused without being unpacked.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from minhu.core.errors import ValidationFailed

from . import settings as portal_settings

FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
LONG_SIDE = 2560  # larger photos are scaled down: enough to read a sign or a meter


@dataclass
class Photo:
    name: str
    data: bytes
    width: int
    height: int
    original_bytes: int

    def as_upload(self) -> ContentFile:
        return ContentFile(self.data, name=self.name)


def clean_photo(uploaded, index: int) -> Photo:
    label = f"第 {index} 张照片"
    size = getattr(uploaded, "size", 0) or 0
    if size <= 0:
        raise ValidationFailed(f"{label}是空文件", code="empty_file")
    limit = portal_settings.photo_max_bytes()
    if size > limit:
        raise ValidationFailed(f"{label}过大（最大 {limit // 2**20} MB）", code="file_too_large")
    raw = uploaded.read(limit + 1)
    max_pixels = portal_settings.max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in FORMATS:
                raise ValidationFailed(f"{label}格式不支持，请上传 JPG、PNG、WebP 或 GIF 图片",
                                       code="bad_file_type")
            width, height = image.size
            if width * height > max_pixels or width <= 0 or height <= 0:
                most = max_pixels // 1_000_000
                raise ValidationFailed(f"{label}像素过多（最多 {most} 百万像素）",
                                       code="image_too_large")
            image.load()
            image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard, for sizes far beyond ours (checked before decoding too).
        raise ValidationFailed(f"{label}像素过多（最多 {max_pixels // 1_000_000} 百万像素）",
                               code="image_too_large") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationFailed(f"{label}不是可识别的图片", code="bad_file_content") from None
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((LONG_SIDE, LONG_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return Photo(name=f"photo{index}.jpg", data=out.getvalue(), width=image.width,
                 height=image.height, original_bytes=size)


def clean_photos(files: list) -> list[Photo]:
    most = portal_settings.max_photos()
    files = [f for f in files if getattr(f, "name", "")]
    if len(files) > most:
        raise ValidationFailed(f"最多上传 {most} 张照片", code="too_many_files")
    return [clean_photo(f, i) for i, f in enumerate(files, start=1)]
