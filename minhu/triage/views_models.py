"""The model versions page 分类模型版本 (administrators): every trained version with its
held-out figures, size and training time, the active one marked, and buttons to activate
a version or roll back to it (through ``actions.do_activate_model``, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from minhu.accounts.roles import Role
from minhu.core.errors import MinhuError
from minhu.web.desks.dispatch import desk_for

from .actions import do_activate_model
from .models import ModelVersion

MAX_ROWS = 100
models_desk = desk_for(Role.ADMIN, desk=gettext_lazy("分类模型版本"))


def _figure(metrics: dict, head: str, key: str = "accuracy"):
    value = (metrics.get(head) or {}).get(key)
    return None if value is None else round(value * 100, 1)


@models_desk
def models_page(request):
    versions = list(ModelVersion.objects.defer("blob").select_related("created_by")
                    .order_by("-created_at", "-pk")[:MAX_ROWS])
    active = next((v for v in versions if v.is_active), None)
    for v in versions:
        m = v.metrics or {}
        v.fig = {
            "category": _figure(m, "category"), "category_f1": _figure(m, "category", "macro_f1"),
            "category_top3": _figure(m, "category", "top3_accuracy"),
            "first_level": _figure(m, "first_level"), "type": _figure(m, "type"),
            "urgency": _figure(m, "urgency"),
            "urgent_recall": _figure(m, "urgency", "urgent_recall"),
            "n": (m.get("category") or {}).get("n"),
        }
        v.size_mb = round(v.size_bytes / 2 ** 20, 1)
        v.older_than_active = active is not None and v.created_at < active.created_at
    chronological = sorted(versions, key=lambda v: (v.created_at, v.pk))
    chart = {
        "versions": [f"v{v.pk}" for v in chronological],
        "series": {
            gettext("二级分类准确率"): [v.fig["category"] for v in chronological],
            gettext("一级分类准确率"): [v.fig["first_level"] for v in chronological],
            gettext("诉求类型准确率"): [v.fig["type"] for v in chronological],
            gettext("紧急召回率"): [v.fig["urgent_recall"] for v in chronological],
        },
    }
    return render(request, "triage/models.html", {
        "versions": versions, "active": active, "chart": chart, "now": timezone.now(),
    })


@require_POST
@models_desk
def activate(request, pk: int):
    version = ModelVersion.objects.defer("blob").filter(pk=pk).first()
    if version is None:
        messages.error(request, gettext("模型版本不存在"))
        return redirect("triage:models")
    active = ModelVersion.objects.filter(is_active=True).only("created_at").first()
    rollback = active is not None and version.created_at < active.created_at
    try:
        do_activate_model(version, request.user, rollback=rollback)
    except MinhuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, (gettext("已回滚到 v%(pk)s") if rollback
                                   else gettext("已启用 v%(pk)s")) % {"pk": version.pk})
    return redirect("triage:models")
