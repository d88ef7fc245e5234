"""Attachments: photos, documents and recordings added to an order by anyone working on it."""

import mimetypes
import os
import re

from django.conf import settings
from django.db import transaction

from ..access import is_centre, is_sub_centre
from ..models import Attachment, WorkOrder
from ._base import ValidationFailed, begin, clock, my_assignment, record, save

# What the platform accepts, by extension; the declared content type must agree.
ALLOWED = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
    ".gif": "image/gif", ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".mp3": "audio/mpeg", ".wav": "audio/wav", ".amr": "audio/amr", ".mp4": "video/mp4",
    ".txt": "text/plain",
}
# Leading bytes of the binary formats, so a renamed executable is not taken for a photo.
MAGIC = {
    ".jpg": [b"\xff\xd8\xff"], ".jpeg": [b"\xff\xd8\xff"], ".png": [b"\x89PNG\r\n\x1a\n"],
    ".gif": [b"GIF87a", b"GIF89a"], ".pdf": [b"%PDF"], ".webp": [b"RIFF"],
    ".docx": [b"PK\x03\x04"], ".xlsx": [b"PK\x03\x04"],
}
MAX_PER_ORDER = 30


def clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = re.sub(r"[\x00-\x1f<>:\"/\\|?*]", "_", base)[:150]
    return base or "附件"


@transaction.atomic
def do_attach(order: WorkOrder, actor, uploaded, *, purpose: str = "intake") -> Attachment:
    order = begin(order, "attach", actor)
    if not is_centre(actor) and not is_sub_centre(actor):
        # A unit attaches only to orders it holds (a live assignment of its own).
        my_assignment(order, actor)
    name = clean_name(getattr(uploaded, "name", ""))
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        raise ValidationFailed(
            "不支持的文件类型，请上传图片、PDF、Office 文档或音视频", code="bad_file_type")
    size = getattr(uploaded, "size", 0) or 0
    limit = settings.MINHU_ATTACHMENT_MAX_BYTES
    if size <= 0:
        raise ValidationFailed("文件为空", code="empty_file")
    if size > limit:
        raise ValidationFailed(f"文件过大（最大 {limit // 2**20} MB）", code="file_too_large")
    head = uploaded.read(16)
    uploaded.seek(0)
    if ext in MAGIC and not any(head.startswith(m) for m in MAGIC[ext]):
        raise ValidationFailed("文件内容与扩展名不符", code="bad_file_content")
    if order.attachments.count() >= MAX_PER_ORDER:
        raise ValidationFailed(f"每张工单最多 {MAX_PER_ORDER} 个附件", code="too_many_files")
    att = Attachment(order=order, name=name, content_type=ALLOWED[ext], size=size,
                     uploaded_by=actor, uploaded_at=clock.now(), purpose=purpose[:20])
    att.file.save(f"{order.number}{ext}", uploaded, save=False)
    att.save()
    record(order, "attach", actor, note=name, data={"attachment": att.pk, "size": size,
                                                   "type": mimetypes.guess_type(name)[0]})
    save(order)
    return att
