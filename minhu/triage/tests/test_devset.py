"""The hand-labelled development set: the labels file itself, and the loader command that
joins it with the texts from the shared evaluation data at run time."""

import csv
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from minhu.catalog.seed import REQUEST_TYPES, URGENCY_TIERS
from minhu.catalog.taxonomy import TAXONOMY
from minhu.triage import devset

SECOND_LEVEL = {child.code for top in TAXONOMY for child in top.children}


@pytest.fixture(scope="module")
def labels():
    return devset.read_labels()


@pytest.fixture(scope="module")
def messages():
    try:
        return devset.read_messages()
    except devset.SharedDataMissing:
        pytest.skip("shared evaluation data is not available here")


def _read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_labels_file_holds_at_least_300_distinct_messages(labels):
    ids = [row["id"] for row in labels]
    assert len(ids) >= 300
    assert len(ids) == len(set(ids))


def test_the_labels_file_holds_ids_and_codes_only_never_texts():
    with open(devset.LABELS_FILE, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["id", *devset.LABEL_COLUMNS]


def test_every_label_is_a_code_of_our_catalog(labels):
    types = {code for code, *_ in REQUEST_TYPES}
    tiers = {code for code, *_ in URGENCY_TIERS}
    for row in labels:
        assert row["category"] in SECOND_LEVEL, row
        assert row["first_level"] == row["category"][:2], row
        assert row["type"] in types, row
        assert row["urgency"] in tiers, row


def test_the_catch_all_codes_are_used_sparingly(labels):
    first_levels = Counter(row["first_level"] for row in labels)
    assert first_levels["QT"] <= len(labels) * 0.05


def test_the_labelled_ids_are_the_start_of_the_seeded_selection(labels, messages):
    selection = devset.select_ids(messages)
    assert [row["id"] for row in labels] == selection[:len(labels)]


def test_the_command_writes_every_labelled_message_with_its_text(labels, messages, tmp_path):
    out = tmp_path / "dev.csv"
    call_command("triage-devset", "--out", str(out))
    rows = _read_csv(out)
    assert list(rows[0]) == list(devset.OUTPUT_COLUMNS)
    assert [row["id"] for row in rows] == [row["id"] for row in labels]
    first = messages[rows[0]["id"]]
    assert rows[0]["text"].startswith(first["留言主题"].strip())
    assert all(row["text"] and "\n" not in row["text"] for row in rows)
    assert "_x000D_" not in "".join(row["text"] for row in rows)


def test_the_label_option_keeps_only_that_label_column(messages, tmp_path):
    out = tmp_path / "dev_type.csv"
    call_command("triage-devset", "--out", str(out), "--label", "type")
    rows = _read_csv(out)
    assert list(rows[0]) == ["id", "text", "type"]


def test_without_shared_data_the_command_explains_in_chinese_and_exits_with_2(
        tmp_path, monkeypatch):
    monkeypatch.setenv("MINHU_SHARED_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError) as caught:
        call_command("triage-devset", "--out", str(tmp_path / "dev.csv"))
    assert caught.value.returncode == 2
    assert "找不到共享评测数据" in str(caught.value)
    assert "MINHU_SHARED_DATA" in str(caught.value)
    assert not (tmp_path / "dev.csv").exists()


def test_an_unknown_label_column_is_refused(tmp_path):
    with pytest.raises(CommandError):
        call_command("triage-devset", "--out", str(tmp_path / "x.csv"), "--label", "colour")


def test_an_unwritable_output_path_is_a_clear_error_not_a_traceback(messages, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("triage-devset", "--out", str(tmp_path / "missing-dir" / "dev.csv"))
    assert "无法写入输出文件" in str(caught.value)


def test_a_labelled_id_missing_from_the_source_is_an_error():
    labels = [{"id": "999999999", "category": "SZ01", "first_level": "SZ",
               "type": "help", "urgency": "normal"}]
    with pytest.raises(devset.MinhuError) as caught:
        devset.build_rows(labels, {})
    assert caught.value.code == "devset_ids_missing"


def test_the_emergency_set_pairs_200_emergencies_with_200_look_alikes():
    rows = devset.read_emergency()
    counts = Counter(row["urgency"] for row in rows)
    assert counts["urgent"] >= 200
    assert counts["normal"] + counts["pressing"] >= 200
    assert set(counts) <= {code for code, *_ in URGENCY_TIERS} - {"complex"}


def test_the_emergency_set_has_no_repeated_text():
    texts = [row["text"].strip() for row in devset.read_emergency()]
    assert all(texts)
    assert len(texts) == len(set(texts))
