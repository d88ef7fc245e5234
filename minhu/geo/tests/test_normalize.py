from minhu.geo.normalize import chinese_number, normalize


def test_chinese_numerals_before_building_words_become_digits():
    assert normalize("锦绣家园三号楼二单元") == "锦绣家园3号楼2单元"
    assert normalize("十二栋") == "12栋"
    assert normalize("第二十网格") == "第20网格"


def test_full_width_digits_and_spaces_are_folded():
    assert normalize("锦绣家园 ３号楼") == "锦绣家园3号楼"


def test_numerals_inside_ordinary_words_stay():
    assert normalize("一直没人管统一处理") == "一直没人管统一处理"


def test_chinese_number_reads_common_forms():
    assert [chinese_number(t) for t in ("三", "十", "十二", "二十", "一百零五", "一二", "两")] \
        == [3, 10, 12, 20, 105, 12, 2]
    assert chinese_number("楼") is None
    assert chinese_number("") is None


def test_nothing_normalises_to_empty():
    assert normalize(None) == ""
    assert normalize("") == ""
