"""一码通: one code per building or compound, and batches of printable sheets."""

import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from minhu.core import clock
from minhu.core.choices import Choices

# No 0/O/1/I/L: a code read aloud over the phone or typed from a faded sign stays unique.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31**8 ≈ 8.5e11: guessing a live code among tens of thousands is hopeless


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


class QrCodeQuerySet(models.QuerySet):
    def active(self, code: str) -> "QrCode | None":
        code = (code or "").strip().upper()[:16]
        # Only our own alphabet can be a code; anything else (NUL, which PostgreSQL refuses
        # in a query, emoji, script) is simply no code, without asking the database.
        if not code or any(c not in ALPHABET for c in code):
            return None
        return (self.select_related("place__parent", "place__community__parent")
                .filter(code=code, is_active=True).first())


class QrCode(models.Model):
    place = models.ForeignKey("org.Place", verbose_name="地点", on_delete=models.CASCADE,
                              related_name="qr_codes")
    code = models.CharField("码", max_length=16, unique=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("生成时间")

    objects = QrCodeQuerySet.as_manager()

    class Meta:
        verbose_name = "楼栋二维码"
        verbose_name_plural = "楼栋二维码（一码通）"
        constraints = [models.UniqueConstraint(fields=["place"], condition=models.Q(is_active=True),
                                               name="one_active_code_per_place")]

    def __str__(self) -> str:
        return f"{self.place} {self.code}"


def code_for(place) -> QrCode:
    """The place's active code, created on first use (a printed sign stays valid)."""
    found = QrCode.objects.filter(place=place, is_active=True).first()
    if found:
        return found
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return QrCode.objects.create(place=place, code=new_code(), created_at=clock.now())
        except IntegrityError:  # a concurrent creator, or (rarely) a code collision
            found = QrCode.objects.filter(place=place, is_active=True).first()
            if found:
                return found
    raise RuntimeError("could not allocate a QR code")


def codes_for(places) -> dict[int, str]:
    """{place id: active code} for many places, creating the missing codes in bulk (a
    district has thousands of buildings: one query and one insert, not one per place)."""
    ids = [p.pk for p in places]
    found = dict(QrCode.objects.filter(place_id__in=ids, is_active=True)
                 .values_list("place_id", "code"))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        now = clock.now()
        # A concurrent creator or a (rare) code collision makes a row be skipped: those
        # places get their code one by one below.
        QrCode.objects.bulk_create([QrCode(place_id=pk, code=new_code(), created_at=now)
                                    for pk in missing], ignore_conflicts=True)
        found.update(QrCode.objects.filter(place_id__in=missing, is_active=True)
                     .values_list("place_id", "code"))
    for place in places:
        if place.pk not in found:
            found[place.pk] = code_for(place).code
    return found


class BatchStatus(Choices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class QrBatch(models.Model):
    """One PDF of sheets for every building and compound under a unit (usually a district)."""

    unit = models.ForeignKey("org.Unit", verbose_name="范围", on_delete=models.CASCADE,
                             related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    status = models.CharField("状态", max_length=10, choices=BatchStatus.choices,
                              default=BatchStatus.PENDING)
    file = models.FileField("文件", upload_to="qrcodes/", blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "二维码批量生成"
        verbose_name_plural = "二维码批量生成"
        ordering = ["-created_at", "-pk"]

    @property
    def percent(self) -> int:
        if self.status == BatchStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
