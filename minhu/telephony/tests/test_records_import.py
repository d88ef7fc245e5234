"""Call records arrive in batches (API) or as a CSV file (command): each row on its own,
bad rows reported with their number and reason, the same data twice changes nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minhu.telephony.models import CallRecord

ROWS = [
    {"call_id": "R-1", "caller": "13905710001", "agent": "agent1", "queue": "投诉",
     "entered_at": "2025-09-30 10:00:00", "answered_at": "2025-09-30 10:00:15",
     "ended_at": "2025-09-30 10:05:15", "outcome": "answered"},
    {"call_id": "R-2", "caller": "13905710002", "queue": "咨询",
     "entered_at": "2025-09-30 10:01:00", "ended_at": "2025-09-30 10:01:40",
     "outcome": "abandoned"},
]


def test_a_batch_is_imported_with_times_turned_into_seconds(switch):
    answer = switch.post("records", {"records": ROWS})
    assert answer.status_code == 200
    assert answer.json() == {"received": 2, "created": 2, "updated": 0, "unchanged": 0,
                             "failed": 0, "errors": []}
    answered = CallRecord.objects.get(call_id="R-1")
    assert (answered.wait_seconds, answered.talk_seconds) == (15, 300)
    assert answered.agent.username == "agent1" and answered.source == "import"
    assert CallRecord.objects.get(call_id="R-2").wait_seconds == 40


def test_the_same_batch_twice_changes_nothing(switch):
    switch.post("records", {"records": ROWS})
    again = switch.post("records", {"records": ROWS}).json()
    assert (again["created"], again["unchanged"]) == (0, 2)
    assert CallRecord.objects.filter(call_id__in=["R-1", "R-2"]).count() == 2


def test_a_corrected_row_updates_the_record(switch):
    switch.post("records", {"records": ROWS})
    fixed = dict(ROWS[1], outcome="missed")
    assert switch.post("records", {"records": [fixed]}).json()["updated"] == 1
    assert CallRecord.objects.get(call_id="R-2").outcome == "missed"


def test_an_imported_record_replaces_what_the_live_events_said(switch):
    switch.event("R-3", "ringing", "2025-09-30T10:00:00+08:00")
    row = {"call_id": "R-3", "entered_at": "2025-09-30 09:59:30", "outcome": "answered",
           "answered_at": "2025-09-30 10:00:05", "ended_at": "2025-09-30 10:02:05"}
    assert switch.post("records", {"records": [row]}).json()["updated"] == 1
    record = CallRecord.objects.get(call_id="R-3")
    assert (record.wait_seconds, record.source) == (35, "import")
    switch.event("R-3", "ended", "2025-09-30T10:09:00+08:00")  # a late event
    assert CallRecord.objects.get(call_id="R-3").talk_seconds == 120


def test_bad_rows_are_reported_by_number_and_the_good_ones_imported(switch):
    rows = [
        ROWS[0],
        {"caller": "13905710003", "entered_at": "2025-09-30 10:00:00", "outcome": "answered"},
        {"call_id": "R-5", "caller": "<script>alert(1)</script>", "outcome": "missed",
         "entered_at": "2025-09-30 10:00:00"},
        {"call_id": "R-6", "entered_at": "2025-09-30 10:00:00", "outcome": "接通"},
        {"call_id": "R-7", "entered_at": "昨天", "outcome": "missed"},
        {"call_id": "R-8", "entered_at": "2025-09-30 10:00:00", "outcome": "hung up"},
        "not an object",
        {"call_id": "R-9", "queue": "投诉😀😀", "entered_at": "2025-09-30 10:00:00",
         "outcome": "missed"},
    ]
    body = switch.post("records", {"records": rows}).json()
    assert (body["created"], body["failed"]) == (2, 6)
    assert [(e["row"], e["code"]) for e in body["errors"]] == [
        (2, "missing_field"), (3, "bad_phone"), (4, "inconsistent"), (5, "bad_time"),
        (6, "bad_outcome"), (7, "bad_row")]
    assert "answered_at" in body["errors"][2]["message"]
    assert not CallRecord.objects.filter(call_id__in=["R-5", "R-6", "R-7", "R-8"]).exists()
    assert CallRecord.objects.get(call_id="R-9").queue == "投诉😀😀"


def test_an_oversized_batch_is_refused_whole(switch, settings):
    settings.MINHU_CTI_MAX_BATCH = 3
    answer = switch.post("records", {"records": [dict(ROWS[0], call_id=f"B-{i}")
                                                 for i in range(4)]})
    assert answer.status_code == 422 and answer.json()["code"] == "batch_too_large"
    assert "3" in answer.json()["message"]
    assert not CallRecord.objects.filter(call_id__startswith="B-").exists()


def test_an_empty_batch_is_refused(switch):
    answer = switch.post("records", {"records": []})
    assert answer.status_code == 422 and answer.json()["code"] == "empty_batch"


def test_records_must_be_a_list(switch):
    assert switch.post("records", {"records": "R-1"}).status_code == 422


# --- The CSV command ----------------------------------------------------------------------

CSV_CN = ("通话编号,主叫号码,坐席,队列,进线时间,接听时间,结束时间,结果\n"
          "F-1,13905710001,agent1,投诉专线,2025-09-30 10:00:00,2025-09-30 10:00:08,"
          "2025-09-30 10:03:08,接通\n"
          "F-2,13905710002,,投诉专线,2025-09-30 10:02:00,,2025-09-30 10:02:03,放弃\n"
          "F-3,abc,,投诉专线,2025-09-30 10:02:00,,,未接\n")


def _run(path, capsys):
    try:
        call_command("cti-import", str(path))
        failed = None
    except CommandError as exc:
        failed = str(exc)
    out = capsys.readouterr()
    return out.out, out.err, failed


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_a_csv_file_in_gbk_or_utf8_is_imported_and_bad_rows_listed(
        city, tmp_path, capsys, encoding):
    path = tmp_path / "话单.csv"
    path.write_bytes(CSV_CN.encode(encoding))
    out, err, failed = _run(path, capsys)
    assert ("GBK" if encoding == "gbk" else "UTF-8") in out
    assert "新增 2 条" in out and "出错 1 条" in out
    assert "第 4 行（通话编号 F-3）：主叫号码格式不正确" in out
    assert "已处理 3/3 条" in err
    assert failed and "1 行未导入" in failed
    assert CallRecord.objects.get(call_id="F-1").queue == "投诉专线"
    assert CallRecord.objects.get(call_id="F-2").wait_seconds == 3


def test_importing_the_same_file_again_changes_nothing(city, tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_text("call_id,entered_at,outcome\nG-1,2025-09-30 10:00:00,missed\n")
    first, _, _ = _run(path, capsys)
    again, _, failed = _run(path, capsys)
    assert "新增 1 条" in first and "未变 1 条" in again and failed is None


def test_a_file_without_known_headers_is_refused(city, tmp_path, capsys):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    _, _, failed = _run(path, capsys)
    assert failed and "表头" in failed
