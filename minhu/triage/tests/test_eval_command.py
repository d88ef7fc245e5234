import json
from io import StringIO

import pytest
from django.core.management import call_command

from minhu.triage import modelstore, rules

FIGURES = {"n", "accuracy", "macro_f1", "top3_accuracy", "per_class"}

WATER = ["{}小区从早上开始停水了，家里一滴水都没有", "{}这几天自来水发黄有怪味，不敢喝",
         "{}高楼层水压太低，热水器都打不着火", "{}没水了也没有停水通知，什么时候来水"]
NOISE = ["{}楼下广场舞音响太吵了，晚上十点还在跳", "{}隔壁工地夜间施工噪音大，吵得睡不着",
         "{}的KTV每天半夜唱歌扰民", "{}装修电钻噪声从早到晚没停过"]
WAGES = ["我在{}干了三个月，老板一直拖欠工资不发", "{}的包工头跑路了，农民工工钱没人管",
         "{}公司克扣加班工资还不给发", "我在{}上班，工资拖了半年讨不回来"]
PLACES = ["锦绣家园", "翠苑小区", "金桂苑", "阳光花园", "梅林湾"]


def _rows(label_names=("供水", "噪声", "欠薪")):
    rows = []
    for label, templates in zip(label_names, (WATER, NOISE, WAGES), strict=True):
        for template in templates:
            for place in PLACES:
                rows.append((template.format(place), label))
    return rows


def _write(path, rows, header=("text", "category"), encoding="utf-8"):
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return str(path)


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("triage-eval", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fails(*args) -> str:
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("triage-eval", *args, stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 2
    assert "Traceback" not in err.getvalue()
    return err.getvalue()


@pytest.fixture(autouse=True)
def fresh_caches():
    modelstore.reset()
    rules.invalidate()
    yield
    modelstore.reset()


def test_cross_validation_prints_one_json_object_with_the_baseline_as_last_line(tmp_path):
    path = _write(tmp_path / "data.csv", _rows())
    out, err = _run("--data", path, "--cv", "5")
    last = out.strip().splitlines()[-1]
    result = json.loads(last)
    assert set(result) >= FIGURES and "baseline" in result
    assert set(result["baseline"]) >= FIGURES
    assert result["n"] == 60 and result["baseline"]["n"] == 60
    assert set(result["per_class"]) == {"供水", "噪声", "欠薪"}
    assert set(result["per_class"]["供水"]) == {"precision", "recall", "f1", "support"}
    assert result["per_class"]["供水"]["support"] == 20
    assert result["accuracy"] > 0.8
    assert "第 5/5 折完成" in err


def test_any_label_column_and_label_strings_work(tmp_path):
    rows = [(text, label) for text, label in _rows(("城乡建设", "劳动和社会保障", "其它 / misc"))]
    path = _write(tmp_path / "data.csv", rows, header=("text", "topic"))
    out, _ = _run("--data", path, "--cv", "3", "--label", "topic")
    result = json.loads(out.strip().splitlines()[-1])
    assert set(result["per_class"]) == {"城乡建设", "劳动和社会保障", "其它 / misc"}


def test_train_and_test_files_measure_on_the_test_file(tmp_path):
    rows = _rows()
    train = _write(tmp_path / "train.csv", rows[::2])
    test = _write(tmp_path / "test.csv", rows[1::2])
    out, _ = _run("--train", train, "--test", test)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["n"] == 30 and result["baseline"]["n"] == 30
    assert 0 <= result["top3_accuracy"] <= 1


def test_utf8_with_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    _write(path, _rows())
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    out, _ = _run("--data", str(path), "--cv", "2")
    assert json.loads(out.strip().splitlines()[-1])["n"] == 60


def test_the_installed_model_is_measured_on_first_level_codes_and_names(city, tmp_path):
    rows = [("家里从早上开始停水了，一滴水都没有", "SZ"), ("楼下广场舞音响太吵了", "城市管理"),
            ("老板拖欠三个月工资不发", "LD")]
    path = _write(tmp_path / "test.csv", rows)
    out, _ = _run("--test", path, "--label", "category")
    result = json.loads(out.strip().splitlines()[-1])
    assert result["baseline"] is None
    assert result["n"] == 3
    assert set(result["per_class"]) >= {"SZ", "CG", "LD"}
    assert result["accuracy"] == 1.0


def test_the_installed_model_reads_second_level_codes_and_names(city, tmp_path):
    rows = [("家里从早上开始停水了，一滴水都没有", "SZ01"), ("老板拖欠三个月工资不发", "拖欠工资")]
    path = _write(tmp_path / "test.csv", rows)
    result = json.loads(_run("--test", path)[0].strip().splitlines()[-1])
    assert set(result["per_class"]) >= {"SZ01", "LD01"}


def test_the_installed_model_reports_urgent_recall_for_urgency_labels(city, tmp_path):
    rows = [("家里闻到很浓的煤气味，赶紧来人", "紧急"), ("电梯困人了，快来救人", "urgent"),
            ("请问公积金怎么提取", "一般")]
    path = _write(tmp_path / "test.csv", rows, header=("text", "urgency"))
    result = json.loads(_run("--test", path, "--label", "urgency")[0].strip().splitlines()[-1])
    assert result["urgent_recall"] == 1.0
    assert result["baseline"] is None


def test_the_installed_model_reads_chinese_request_types(city, tmp_path):
    rows = [("请问公租房申请需要什么条件？", "咨询"), ("请问社保卡在哪里补办？", "consult")]
    path = _write(tmp_path / "test.csv", rows, header=("text", "type"))
    result = json.loads(_run("--test", path, "--label", "type")[0].strip().splitlines()[-1])
    assert result["n"] == 2


def test_unknown_labels_for_the_installed_model_are_refused(city, tmp_path):
    path = _write(tmp_path / "test.csv", [("停水了", "火星事务")])
    assert "无法识别" in _fails("--test", path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    assert "文件不存在" in _fails("--data", str(tmp_path / "nope.csv"), "--cv", "5")


def test_a_file_without_a_text_column_is_refused(tmp_path):
    path = _write(tmp_path / "d.csv", [("停水了", "供水")], header=("content", "category"))
    assert "缺少 text 列" in _fails("--data", path, "--cv", "5")


def test_a_file_without_the_label_column_is_refused(tmp_path):
    path = _write(tmp_path / "d.csv", _rows())
    assert "缺少标签列 urgency" in _fails("--data", path, "--cv", "5", "--label", "urgency")


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "空" in _fails("--data", str(path), "--cv", "5")


def test_a_header_only_file_is_refused(tmp_path):
    path = _write(tmp_path / "d.csv", [])
    assert "没有" in _fails("--data", path, "--cv", "5")


def test_fewer_rows_than_folds_is_refused(tmp_path):
    path = _write(tmp_path / "d.csv", [("停水了", "供水"), ("太吵了", "噪声"), ("没水", "供水"),
                                       ("好吵", "噪声")])
    assert "少于折数" in _fails("--data", path, "--cv", "5")


def test_a_class_with_one_example_is_refused_under_cross_validation(tmp_path):
    path = _write(tmp_path / "d.csv", _rows() + [("烧烤油烟太大", "油烟")])
    message = _fails("--data", path, "--cv", "5")
    assert "只有 1 条样本" in message and "油烟" in message


def test_a_gbk_file_is_refused_with_a_hint(tmp_path):
    path = _write(tmp_path / "gbk.csv", _rows(), encoding="gbk")
    message = _fails("--data", path, "--cv", "5")
    assert "UTF-8" in message and "GBK" in message


def test_no_mode_is_refused():
    assert "请指定" in _fails()


def test_train_without_test_is_refused(tmp_path):
    path = _write(tmp_path / "d.csv", _rows())
    assert "--test" in _fails("--train", path)
