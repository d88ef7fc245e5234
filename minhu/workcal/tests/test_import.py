"""`minhu holidays-import`, `holidays-export` and `holidays-check`."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from minhu.core.clock import pinned
from minhu.workcal.clock import calendar
from minhu.workcal.models import CalendarDay, DayKind

pytestmark = pytest.mark.django_db

# A made-up 2027 arrangement in the shape the State Council publishes.
ARRANGEMENT_2027 = """date,kind,name
2027-01-01,休,元旦
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-20,班,春节
"""
LATE_2026 = datetime(2026, 11, 21, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def run(command, *args):
    out, err = StringIO(), StringIO()
    with pinned(LATE_2026):
        call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "arrangement.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_importing_2027_makes_new_years_day_2027_a_holiday(tmp_path):
    assert calendar.is_workday(date(2027, 1, 1))  # cached before the import
    out, err = run("holidays-import", write(tmp_path, ARRANGEMENT_2027, "utf-8-sig"))
    assert "新增 4 条，更新 0 条" in out
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.is_workday(date(2027, 2, 20))  # a make-up Saturday
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).name == "元旦"
    assert "2027 年尚未导入" not in err


def test_a_gbk_file_with_slashed_dates_and_jia_ban_kinds_is_understood(tmp_path):
    text = "日期,类型,名称\r\n2027/1/1,假,元旦\r\n2027/2/20,班,春节\r\n"
    out, _ = run("holidays-import", write(tmp_path, text, "gbk"))
    assert "新增 2 条" in out
    day = CalendarDay.objects.get(date=date(2027, 1, 1))
    assert (day.kind, day.name) == (DayKind.HOLIDAY, "元旦")


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(tmp_path):
    text = (
        "date,kind,name\n"
        "2027-01-01,休,元旦\n"
        "2027-02-30,休,春节\n"
        "2027-02-07,放假,春节\n"
        "2027-01-01,班,\n"
    )
    with pytest.raises(CommandError) as error:
        run("holidays-import", write(tmp_path, text))
    message = str(error.value)
    assert "未导入任何数据" in message
    assert "第 3 行：日期“2027-02-30”无效" in message
    assert "第 4 行：类型“放假”无法识别" in message
    assert "第 5 行：日期 2027-01-01 与第 2 行重复" in message
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_a_dry_run_reports_but_changes_nothing(tmp_path):
    before = CalendarDay.objects.count()
    out, _ = run("holidays-import", write(tmp_path, ARRANGEMENT_2027), "--dry-run")
    assert "试运行" in out and "新增 4 条" in out
    assert CalendarDay.objects.count() == before


def test_an_existing_date_is_updated_and_an_identical_one_left_alone(tmp_path):
    text = "2025-10-08,班,国庆节\n2025-10-01,休,国庆节\n"
    out, _ = run("holidays-import", write(tmp_path, text))
    assert "新增 0 条，更新 1 条，1 条无变化" in out
    assert calendar.is_workday(date(2025, 10, 8))


def test_a_make_up_workday_on_a_weekday_draws_a_reminder(tmp_path):
    _, err = run("holidays-import", write(tmp_path, "2027-01-05,班,\n"))
    assert "第 1 行：2027-01-05 是星期二" in err


def test_importing_without_the_coming_years_holidays_warns(tmp_path):
    _, err = run("holidays-import", write(tmp_path, "2026-10-01,休,国庆节\n"))
    assert "2027 年尚未导入法定节假日安排" in err


def test_an_unreadable_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        run("holidays-import", str(tmp_path / "missing.csv"))


def test_an_empty_file_is_rejected(tmp_path):
    with pytest.raises(CommandError, match="没有数据行"):
        run("holidays-import", write(tmp_path, "date,kind,name\n"))


def test_the_check_warns_until_the_coming_year_is_imported(tmp_path):
    out, err = run("holidays-check")
    assert "2026 年：法定节假日" in out
    assert "2027 年尚未导入法定节假日安排" in err
    run("holidays-import", write(tmp_path, ARRANGEMENT_2027))
    out, err = run("holidays-check")
    assert "2027 年：法定节假日 3 天，调休上班日 1 天" in out
    assert err == ""


def test_an_exported_year_imports_back_unchanged(tmp_path):
    out, _ = run("holidays-export", "--year", "2025")
    assert out.startswith("date,kind,name\n")
    assert "2025-10-01,holiday,国庆节\n" in out
    assert "2024-" not in out
    imported, _ = run("holidays-import", write(tmp_path, out))
    assert "新增 0 条，更新 0 条" in imported
