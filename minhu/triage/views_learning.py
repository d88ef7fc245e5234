"""The learning report 分拨学习报告 (supervisors and administrators): where the model and
the dispatchers disagree, and which corrections the next training will use; with an
Excel export of the category confusion pairs."""

from __future__ import annotations

import tempfile
from datetime import date

from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from minhu.accounts.roles import Role
from minhu.web.desks.dispatch import desk_for
from minhu.web.periods import day_bounds, report_period

from . import learning_report as report

DEFAULT_DAYS = 90
MAX_DAYS = 366
EXPORT_PAIRS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

report_desk = desk_for(Role.SUPERVISOR, Role.ADMIN, desk=gettext_lazy("分拨学习报告"))


def period_of(params) -> tuple[date, date, str]:
    """[first, last] days from ?start=&end=, by default the last 90 days."""
    return report_period(params, default_days=DEFAULT_DAYS, max_days=MAX_DAYS)


@require_GET
@report_desk
def learning_page(request):
    first, last, problem = period_of(request.GET)
    start, end = day_bounds(first, last)
    weeks = report.weekly_agreement(start, end)
    chart = {"weeks": [w["week"] for w in weeks],
             "category": [w["category_pct"] for w in weeks],
             "unit": [w["unit_pct"] for w in weeks],
             "names": {"category": gettext("分类一致率（%）"),
                       "unit": gettext("主办单位一致率（%）")}}
    return render(request, "triage/learning.html", {
        "first": first, "last": last, "problem": problem, "weeks": weeks, "chart": chart,
        "totals": report.totals(weeks),
        "pairs": report.confusion_pairs(request.user, start, end),
        "units": report.overridden_units(start, end),
        "auto": report.auto_dispatch_trouble(request.user, start, end),
        "versions": report.corrections_by_version(start, end),
        "can_manage_models": request.user.has_role(Role.ADMIN),
    })


@require_GET
@report_desk
def learning_export(request):
    """The category confusion pairs of the period as an .xlsx file."""
    first, last, _problem = period_of(request.GET)
    start, end = day_bounds(first, last)
    pairs = report.confusion_pairs(request.user, start, end, limit=EXPORT_PAIRS)
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("分类纠正")
    ws.append([gettext("模型建议分类编码"), gettext("模型建议分类"), gettext("人工选定分类编码"),
               gettext("人工选定分类"), gettext("纠正次数"), gettext("示例工单")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for p in pairs:
        ws.append([p["proposed"], p["proposed_name"], p["chosen"], p["chosen_name"], p["n"],
                   " ".join(p["samples"])])
    for col, width in zip("ABCDEF", (16, 24, 16, 24, 10, 60), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    wb.save(out)
    out.seek(0)
    name = f"{gettext('分类纠正')}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
