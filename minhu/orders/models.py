from django.conf import settings
from django.db import models
from django.db.models import Q

from .states import (
    AssignmentRole,
    AssignmentState,
    Channel,
    CloseReason,
    ResolvedChoices,
    ReturnKind,
    ReviewStatus,
    Satisfaction,
    State,
    UrgeKind,
)

User = settings.AUTH_USER_MODEL


class WorkOrderQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WorkOrderQuerySet":
        from .access import visible_orders

        return visible_orders(user, self)


class WorkOrder(models.Model):
    """One citizen request (工单), from intake to closing.

    ``state`` is written only by the ``do_*`` functions in ``actions.py``.
    """

    number = models.CharField("工单编号", max_length=32, unique=True)
    channel = models.CharField("来源渠道", max_length=20, choices=Channel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级工单", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    master = models.ForeignKey(
        "self", verbose_name="并入主单", null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_orders",
    )
    state = models.CharField("状态", max_length=24, choices=State.choices, db_index=True)

    # Citizen
    citizen_name = models.CharField("诉求人", max_length=64, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=32, blank=True, db_index=True)
    is_anonymous = models.BooleanField("匿名", default=False)
    is_confidential = models.BooleanField("保密", default=False)
    is_enterprise = models.BooleanField("企业诉求", default=False)
    enterprise_name = models.CharField("企业名称", max_length=100, blank=True)

    # What and how urgent
    title = models.CharField("标题", max_length=120, blank=True)
    content = models.TextField("诉求内容")
    request_type = models.ForeignKey(
        "catalog.RequestType", verbose_name="诉求类型", on_delete=models.PROTECT,
    )
    category = models.ForeignKey(
        "catalog.Category", verbose_name="诉求分类", null=True, blank=True,
        on_delete=models.PROTECT,
    )
    urgency = models.ForeignKey(
        "catalog.UrgencyTier", verbose_name="紧急程度", on_delete=models.PROTECT,
    )

    # Where
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    place = models.ForeignKey(
        "org.Place", verbose_name="地点", null=True, blank=True, on_delete=models.SET_NULL,
    )
    district = models.ForeignKey(
        "org.Unit", verbose_name="区县", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.ForeignKey(
        "org.Unit", verbose_name="街道/乡镇", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "org.Unit", verbose_name="社区/村", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    grid = models.ForeignKey(
        "org.Unit", verbose_name="网格", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    # Who holds it
    registered_by = models.ForeignKey(
        User, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    dispatch_unit = models.ForeignKey(
        "org.Unit", verbose_name="派单单位", on_delete=models.PROTECT, related_name="+",
        help_text="首接负责：负责派单的中心或分中心",
    )
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name="主办单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    # Clock
    created_at = models.DateTimeField("登记时间", db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    due_at = models.DateTimeField("办理期限", null=True, blank=True)
    yellow_at = models.DateTimeField("黄灯时间", null=True, blank=True)
    external_due_at = models.DateTimeField("上级平台期限", null=True, blank=True)
    paused_at = models.DateTimeField("计时暂停于", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    # Flags
    is_yellow = models.BooleanField("黄灯", default=False)
    is_overdue = models.BooleanField("超期", default=False)
    is_supervised = models.BooleanField("挂牌督办", default=False)
    is_escalated = models.BooleanField("提级办理", default=False)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    urge_count = models.PositiveSmallIntegerField("催办次数", default=0)
    unreasonable = models.CharField(
        "不合理诉求", max_length=10, choices=ReviewStatus.choices, default="", blank=True,
    )
    unreasonable_reason = models.CharField("不合理原因", max_length=200, blank=True)
    extension_status = models.CharField(
        "延期申请", max_length=10, choices=ReviewStatus.choices, default="", blank=True,
    )
    # Number of timeline events so far: the next event's ``seq``.
    event_count = models.PositiveIntegerField(default=0, editable=False)

    # Outcome
    reply_text = models.TextField("答复内容", blank=True)
    reply_solved = models.BooleanField("是否解决", null=True, blank=True)
    reply_handler = models.CharField("承办人", max_length=64, blank=True)
    reply_handler_phone = models.CharField("承办人电话", max_length=32, blank=True)
    reply_unit = models.ForeignKey(
        "org.Unit", verbose_name="答复单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    resolved = models.CharField(
        "回访-是否解决", max_length=10, choices=ResolvedChoices.choices, blank=True
    )
    satisfaction = models.CharField(
        "回访-满意度", max_length=16, choices=Satisfaction.choices, blank=True
    )
    first_satisfaction = models.CharField(
        "首次回访满意度", max_length=16, choices=Satisfaction.choices, blank=True,
        help_text="一次办结满意率按此计算；重办后的结果计入最终满意率",
    )
    close_reason = models.CharField(
        "办结方式", max_length=16, choices=CloseReason.choices, blank=True
    )

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        indexes = [
            # The deadline sweep: open, clocked orders by deadline.
            # The deadline sweep looks only at orders it has not flagged yet, so these
            # partial indexes stay small however many orders are open or overdue.
            models.Index(
                fields=["due_at"], name="order_due_watch",
                condition=Q(is_overdue=False, state__in=["dispatched", "handling"]),
            ),
            models.Index(
                fields=["yellow_at"], name="order_yellow_watch",
                condition=Q(is_yellow=False, state__in=["dispatched", "handling"]),
            ),
            models.Index(fields=["state", "created_at"], name="order_state_created"),
            models.Index(fields=["lead_unit", "state"], name="order_lead_state"),
            models.Index(fields=["dispatch_unit", "state"], name="order_dispatch_state"),
            models.Index(fields=["district", "created_at"], name="order_district_created"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        from .states import OPEN_STATES

        return self.state in OPEN_STATES

    @property
    def is_sub_order(self) -> bool:
        return self.parent_id is not None


class ExternalRef(models.Model):
    """An id the order carries in another system: one per (channel, external id), so
    the same request arriving twice from a channel finds the same order."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="external_refs")
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    external_id = models.CharField("外部编号", max_length=100)

    class Meta:
        verbose_name = "外部编号"
        verbose_name_plural = "外部编号"
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="uniq_channel_extid")
        ]


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` seen on a create request, bound to the account that sent it."""

    key = models.CharField(max_length=100)
    # Hash of the request body: the same key with a different body is refused, not
    # silently answered with the first order.
    fingerprint = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_user_idem_key")]


class Attachment(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    purpose = models.CharField("用途", max_length=20, default="intake")

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"


class Assignment(models.Model):
    """One unit's part in an order: the lead, a co-handler or a summoned department."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("org.Unit", verbose_name="承办单位", on_delete=models.PROTECT,
                             related_name="assignments")
    role = models.CharField("角色", max_length=10, choices=AssignmentRole.choices)
    state = models.CharField("状态", max_length=16, choices=AssignmentState.choices,
                             db_index=True)
    dispatched_at = models.DateTimeField("派发时间")
    dispatched_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    sign_due_at = models.DateTimeField("签收期限", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    due_at = models.DateTimeField("办理期限", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    reply_text = models.TextField("答复内容", blank=True)
    reply_solved = models.BooleanField(null=True, blank=True)
    handler_name = models.CharField(max_length=64, blank=True)
    handler_phone = models.CharField(max_length=32, blank=True)
    summoned_by = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    is_sign_overdue = models.BooleanField("签收超时", default=False)

    class Meta:
        verbose_name = "承办记录"
        verbose_name_plural = "承办记录"
        indexes = [
            models.Index(fields=["unit", "state"], name="assign_unit_state"),
            models.Index(
                fields=["sign_due_at"], name="assign_sign_watch",
                condition=Q(is_sign_overdue=False, state="pending_sign"),
            ),
        ]
        constraints = [
            # At most one live lead per order.
            models.UniqueConstraint(
                fields=["order"], name="one_live_lead",
                condition=Q(role="lead") & Q(state__in=["pending_sign", "handling", "returned"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.unit_id}:{self.role}"


class TimelineEvent(models.Model):
    """Append-only history: every step of an order, who, when, from → to, note."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    action = models.CharField("动作", max_length=32)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24, blank=True)
    target_unit = models.ForeignKey("org.Unit", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "时间线事件"
        verbose_name_plural = "时间线"
        ordering = ["order", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="uniq_order_seq")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("timeline events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("timeline events are append-only")


class ReturnRequest(models.Model):
    """A unit's return (退单) or upward report (上报), waiting for the dispatcher's review."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="returns")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReturnKind.choices)
    reason = models.TextField("理由")
    suggested_unit = models.ForeignKey("org.Unit", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    prior_assignment_state = models.CharField(max_length=16)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default="pending")
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)


class ExtensionRequest(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    amount = models.PositiveIntegerField("延长量")
    unit = models.CharField("单位", max_length=10)
    reason = models.TextField("理由")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default="pending")
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    old_due_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)


class Urging(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="urgings")
    kind = models.CharField("方式", max_length=10, choices=UrgeKind.choices)
    unit = models.ForeignKey("org.Unit", null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField()


class Callback(models.Model):
    """One callback attempt (回访). Unreached attempts are kept for the retry schedule."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="callbacks")
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    reached = models.BooleanField("是否接通")
    resolved = models.CharField(max_length=10, choices=ResolvedChoices.choices, blank=True)
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices, blank=True)
    scores = models.JSONField("维度评分", default=dict, blank=True)
    note = models.TextField(blank=True)
    round = models.PositiveSmallIntegerField("第几轮办理", default=0,
                                             help_text="0 为首次办理，n 为第 n 次重办后")
    retry_at = models.DateTimeField(null=True, blank=True)


class DailyCounter(models.Model):
    """Per-day sequence behind the human-readable order number (YZ20261121000042)."""

    day = models.DateField(primary_key=True)
    value = models.PositiveIntegerField(default=0)
