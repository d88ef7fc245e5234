"""`minhu dedup-eval --data FILE.csv`: the shape of its answer and its refusals."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "dedup_eval.csv"
HEADER = "id,group,text,address,created_at,phone\n"


def run(path) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("dedup-eval", "--data", str(path), stdout=out, stderr=err)
        code = 0
    except SystemExit as stop:
        code = stop.code
    return code, out.getvalue(), err.getvalue()


def test_the_shipped_set_meets_the_targets_and_the_last_line_is_json():
    code, out, _ = run(SHIPPED)
    assert code == 0
    result = json.loads(out.strip().splitlines()[-1])
    assert {"n", "pairs", "precision", "recall", "f1"} <= set(result)
    assert result["n"] >= 400
    assert result["precision"] >= 0.90
    assert result["recall"] >= 0.80


def test_the_phone_column_is_optional_and_times_may_carry_an_offset(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(
        "id,group,text,address,created_at\n"
        "1,g1,锦绣家园停水了，一滴水都没有,锦绣家园,2026-03-02T09:00:00+08:00\n"
        "2,g1,家里没水了,锦绣家园5号楼,2026-03-02T03:00:00Z\n"
        "3,g2,电梯坏了,翠苑小区,2026-03-02T12:00\n", encoding="utf-8")
    code, out, _ = run(path)
    result = json.loads(out.strip().splitlines()[-1])
    assert code == 0
    assert (result["n"], result["pairs"], result["precision"], result["recall"]) == (3, 1, 1.0,
                                                                                   1.0)


@pytest.mark.parametrize(("content", "message"), [
    ("id,text,address,created_at\n1,a,b,2026-01-01\n2,a,b,2026-01-01\n", "缺少必需的列：group"),
    (HEADER + "1,g,停水,锦绣家园,昨天下午,\n2,g,停水,锦绣家园,2026-01-01,\n", "第 2 行"),
    (HEADER + "1,g,停水,锦绣家园,2026-01-01,\n1,g,停水,锦绣家园,2026-01-02,\n", "重复"),
    (HEADER + "1,g,,锦绣家园,2026-01-01,\n2,g,停水,锦绣家园,2026-01-02,\n", "text 为空"),
    (HEADER + "1,g,停水,锦绣家园,2026-01-01,\n", "至少需要 2 行"),
])
def test_bad_input_is_refused_in_chinese_with_exit_code_2(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(path)
    assert code == 2
    assert message in err and out == ""


def test_a_missing_file_is_refused_with_exit_code_2(tmp_path):
    code, _, err = run(tmp_path / "nope.csv")
    assert code == 2 and "文件不存在" in err


def test_a_file_in_neither_utf8_nor_gbk_is_refused(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30\x81\xff" * 10)
    code, _, err = run(path)
    assert code == 2 and "编码" in err
