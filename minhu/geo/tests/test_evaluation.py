import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

EVAL_SET = Path(__file__).resolve().parent.parent / "data" / "place_eval.csv"


def test_the_shipped_evaluation_set_is_resolved_accurately(db, capsys):
    call_command("place-eval", "--data", str(EVAL_SET))
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n"] >= 150
    assert result["community_accuracy"] >= 0.95
    assert result["street_accuracy"] >= 0.95
    assert result["district_accuracy"] >= 0.97
    assert result["p95_ms"] < 5
    assert set(result) >= {"n", "community_accuracy", "street_accuracy",
                           "district_accuracy", "p50_ms", "p95_ms"}


def test_misses_are_listed_when_asked(db, tmp_path, capsys):
    path = tmp_path / "e.csv"
    path.write_text("address,content,lat,lng,expected\n锦绣家园,,,,XH0101\n", encoding="utf-8")
    call_command("place-eval", "--data", str(path), "--verbose")
    out = capsys.readouterr().out
    assert "期望 XH0101" in out
    assert json.loads(out.strip().splitlines()[-1])["community_accuracy"] == 0


@pytest.mark.parametrize("content, message", [
    ("address,content\n锦绣家园,\n", "缺少列：lat、lng、expected"),
    ("address,content,lat,lng,expected\n锦绣家园,,,,NOPE\n", "第 2 行：没有编码为“NOPE”的单位"),
    ("address,content,lat,lng,expected\n锦绣家园,,北纬,,DC0101\n", "第 2 行：纬度 不是数字"),
    ("address,content,lat,lng,expected\n", "评测集为空"),
])
def test_a_bad_evaluation_file_is_refused_in_chinese(db, tmp_path, content, message):
    path = tmp_path / "e.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("place-eval", "--data", str(path))


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("place-eval", "--data", str(tmp_path / "none.csv"))
