"""What duplicate detection keeps: a searchable signature per order, the incidents many
callers form, and the repeat links of one caller. All of it is suggestion: merging stays
the dispatcher's decision (``do_merge``)."""

from django.db import models
from django.db.models import Q


class OrderSignature(models.Model):
    """One order as the detector sees it, written when the order is registered, so the
    candidates of a new order are found by index (phone, place, community) in a few rows."""

    order = models.OneToOneField("orders.WorkOrder", primary_key=True, on_delete=models.CASCADE,
                                 related_name="dedup_signature")
    created_at = models.DateTimeField()
    phone = models.CharField(max_length=20, blank=True)
    place_key = models.CharField(max_length=60, blank=True)  # the first of ``places``
    places = models.CharField(max_length=200, blank=True)  # "|"-joined place keys
    community_id = models.IntegerField(null=True, blank=True)
    category1 = models.CharField(max_length=20, blank=True)
    concepts = models.CharField(max_length=300, blank=True)  # ","-joined problem concepts
    problem = models.CharField(max_length=400, blank=True)  # the text without places/fillers
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    # How many earlier orders of this caller were about the same matter (0: first call).
    repeat_count = models.PositiveIntegerField("重复来电次数", default=0)

    class Meta:
        verbose_name = "工单查重特征"
        verbose_name_plural = "工单查重特征"
        indexes = [
            models.Index(fields=["phone", "created_at"], name="dedup_sig_phone",
                         condition=~Q(phone="")),
            models.Index(fields=["place_key", "created_at"], name="dedup_sig_place",
                         condition=~Q(place_key="")),
            models.Index(fields=["community_id", "created_at"], name="dedup_sig_community"),
        ]


class Incident(models.Model):
    """Many callers about one problem at one place (一事多诉)."""

    master = models.ForeignKey("orders.WorkOrder", verbose_name="建议主单", null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey("catalog.Category", verbose_name="分类", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    community = models.ForeignKey("org.Unit", verbose_name="社区/村", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    place = models.ForeignKey("org.Place", verbose_name="地点", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    place_label = models.CharField("地点", max_length=200, blank=True)
    opened_at = models.DateTimeField("首次来电")
    last_seen_at = models.DateTimeField("最近来电")
    size = models.PositiveIntegerField("来电数", default=1)
    is_open = models.BooleanField("进行中", default=True)

    class Meta:
        verbose_name = "事件（一事多诉）"
        verbose_name_plural = "事件（一事多诉）"
        indexes = [models.Index(fields=["is_open", "last_seen_at"], name="dedup_incident_open")]

    def __str__(self) -> str:
        return f"事件 {self.pk}（{self.size} 件）"


class IncidentMember(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="members")
    order = models.OneToOneField("orders.WorkOrder", on_delete=models.CASCADE,
                                 related_name="dedup_incident")
    score = models.FloatField(default=0)
    reason = models.CharField(max_length=200, blank=True)
    joined_at = models.DateTimeField()


class RepeatLink(models.Model):
    """The same caller again about the same matter: this order → the earlier one."""

    order = models.ForeignKey("orders.WorkOrder", on_delete=models.CASCADE,
                              related_name="repeat_links")
    earlier = models.ForeignKey("orders.WorkOrder", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(default=0)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "重复来电"
        verbose_name_plural = "重复来电"
        constraints = [models.UniqueConstraint(fields=["order", "earlier"],
                                               name="dedup_repeat_once")]
