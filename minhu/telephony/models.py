"""What the call-centre's telephony (CTI) tells us: call events as they happen, and one
record per call (from those events, or imported from the CTI's own call records).

* ``CallEvent``: one row per (call, event), exactly as received; a repeated event is a
  no-op. Ringing at an agent pops that agent's console.
* ``CallRecord``: one row per call, the basis of 接通率 (see ``rates.py``). Events keep it
  up to date while the call runs; an imported record is the CTI's final word and
  replaces what the events said.
* ``AgentExtension``: which agent sits at which extension (the CTI may name either).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from minhu.accounts.models import User
from minhu.core.choices import Choices


class EventKind(Choices):
    RINGING = "ringing", _("振铃")
    ANSWERED = "answered", _("接听")
    ENDED = "ended", _("挂机")
    ABANDONED = "abandoned", _("放弃")


class Outcome(Choices):
    IN_PROGRESS = "", _("进行中")
    ANSWERED = "answered", _("接通")
    ABANDONED = "abandoned", _("放弃（来电人挂断）")
    MISSED = "missed", _("未接（无人接听）")


class RecordSource(Choices):
    EVENTS = "events", _("实时事件")
    IMPORT = "import", _("话单导入")


class AgentExtension(models.Model):
    extension = models.CharField("分机号", max_length=20, unique=True)
    user = models.ForeignKey(User, verbose_name="话务员", on_delete=models.CASCADE,
                             related_name="extensions")

    class Meta:
        verbose_name = "坐席分机"
        verbose_name_plural = "坐席分机"

    def __str__(self) -> str:
        return f"{self.extension} → {self.user}"


class CallEvent(models.Model):
    call_id = models.CharField("通话编号", max_length=64)
    event = models.CharField("事件", max_length=12, choices=EventKind.choices)
    at = models.DateTimeField("发生时间")
    caller = models.CharField("主叫号码", max_length=20, blank=True)
    agent_ref = models.CharField("坐席（原文）", max_length=64, blank=True)
    agent = models.ForeignKey(User, verbose_name="话务员", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="call_events")
    queue = models.CharField("队列", max_length=40, blank=True)
    received_at = models.DateTimeField("接收时间")
    payload = models.JSONField("原始内容", default=dict)

    class Meta:
        verbose_name = "来电事件"
        verbose_name_plural = "来电事件"
        ordering = ["-at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["call_id", "event"],
                                               name="uniq_call_event")]
        indexes = [models.Index(fields=["agent", "event", "-at"], name="call_event_agent_recent")]

    def __str__(self) -> str:
        return f"{self.call_id} {self.event}"


class CallRecord(models.Model):
    call_id = models.CharField("通话编号", max_length=64, unique=True)
    caller = models.CharField("主叫号码", max_length=20, blank=True)
    agent_ref = models.CharField("坐席（原文）", max_length=64, blank=True)
    agent = models.ForeignKey(User, verbose_name="话务员", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="call_records")
    queue = models.CharField("队列", max_length=40, blank=True)
    entered_at = models.DateTimeField("进线时间", db_index=True)
    answered_at = models.DateTimeField("接听时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, blank=True,
                               db_index=True)
    wait_seconds = models.PositiveIntegerField("等待时长（秒）", null=True, blank=True)
    talk_seconds = models.PositiveIntegerField("通话时长（秒）", null=True, blank=True)
    source = models.CharField("来源", max_length=10, choices=RecordSource.choices,
                              default=RecordSource.EVENTS)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "通话记录"
        verbose_name_plural = "通话记录"
        ordering = ["-entered_at", "-pk"]
        indexes = [models.Index(fields=["agent", "entered_at"], name="call_record_agent_day")]

    def __str__(self) -> str:
        return self.call_id
