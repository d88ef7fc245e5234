from minhu.geo.resolve import resolve_place
from minhu.org.models import Place
from minhu.triage.types import PlaceMatch


def test_a_compound_in_the_address_gives_its_community_and_grid(resolve):
    found = resolve(address="锦绣家园3号楼")
    compound = Place.objects.get(name="锦绣家园")
    building = Place.objects.get(parent=compound, name="3号楼")
    assert found.community == "DC0101"
    assert found.street == "DC01"
    assert found.codes["district"] == "DC"
    assert found.match.place_id == building.pk
    assert found.match.grid_id == building.grid_id
    assert found.match.confidence > 0.9
    assert found.match.evidence == ["地址含“锦绣家园”（小区）", "楼栋“3号楼”"]


def test_buildings_may_be_written_in_chinese_or_full_width_numbers(resolve):
    compound = Place.objects.get(name="锦绣家园")
    building = Place.objects.get(parent=compound, name="3号楼")
    for address in ("锦绣家园三号楼", "锦绣家园３栋", "锦绣家园3幢2单元", "锦绣家园3-2-301"):
        assert resolve(address=address).match.place_id == building.pk, address


def test_colloquial_forms_find_the_compound(resolve):
    assert resolve(content="锦绣家园那边晚上烧烤很吵").community == "DC0101"
    assert resolve(address="春溪小区").community == "DC0102"  # the compound is 春溪花园
    assert resolve(address="延安大道311号").community == "DC0101"  # its street address


def test_a_road_crossing_names_the_road(resolve):
    found = resolve(address="人民路口")
    assert found.street == "DC02"
    assert found.match.evidence == ["地址含“人民路”（道路）"]


def test_the_content_is_quoted_as_content(resolve):
    found = resolve(content="人民路上井盖松动")
    assert found.match.evidence == ["正文提到“人民路”（道路）"]


def test_an_ambiguous_bare_name_is_settled_by_the_street_named(resolve):
    # 江南 is the bare name of about ten compounds; in 白沙街道 only 江南家园 carries it.
    vague = resolve(address="江南那边")
    settled = resolve(address="江南那边", content="我们白沙街道的")
    assert settled.community == "BJ0305"
    assert settled.match.confidence > vague.match.confidence


def test_an_ambiguous_bare_name_alone_has_low_confidence(resolve):
    found = resolve(address="锦绣那边")
    assert found.community is not None
    assert found.match.confidence < 0.4
    assert any(line.startswith("同名还有：地址含“锦绣”") for line in found.match.evidence)


def test_the_address_outweighs_the_content(resolve):
    found = resolve(address="锦绣家园2号楼", content="以前住春溪花园的时候没有这个问题")
    assert found.community == "DC0101"


def test_a_wrong_district_loses_to_a_unique_compound_but_lowers_confidence(resolve):
    right = resolve(address="东城区锦绣家园")
    wrong = resolve(address="西湖区锦绣家园")
    assert wrong.community == "DC0101"
    assert wrong.match.confidence < right.match.confidence
    assert "不一致：地址含“西湖区”（区县）" in wrong.match.evidence


def test_common_words_are_not_taken_for_places(resolve):
    assert resolve(content="祝大家生活幸福，阳光明媚").match == PlaceMatch()
    assert resolve(address="银杏小区", content="为人民服务").community == "DC0204"


def test_a_name_with_one_wrong_character_is_found_with_a_note(resolve):
    found = resolve(address="锦秀家园3号楼")
    assert found.community == "DC0101"
    assert "疑似错字" in found.match.evidence[0]


def test_colloquial_landmark_names(resolve):
    assert resolve(content="文昌菜场旁边有人占道卖菜").community == "DC0102"
    assert resolve(address="文昌地铁口").community == "DC0105"


def test_units_named_in_full_or_short(resolve):
    assert resolve(address="东城区").codes["district"] == "DC"
    assert resolve(address="东城区").community is None
    assert resolve(address="文昌那边").street == "DC01"
    assert resolve(address="科创街道庆岸").community == "GX0104"
    assert resolve(address="紫园社区第二网格").grid == "DC010302"


def test_nothing_found_gives_an_empty_match(resolve):
    assert resolve_place() == PlaceMatch()
    assert resolve_place("", "", None, None).confidence == 0
    assert resolve_place("火星基地", "外星人") == PlaceMatch()


def test_bad_coordinates_are_ignored(resolve):
    assert resolve(lat="abc", lng=120.1).match == PlaceMatch()
    assert resolve(lat=float("nan"), lng=120.1).match == PlaceMatch()
    assert resolve(lat=95, lng=120.1).match == PlaceMatch()
    assert resolve(address="锦绣家园", lat=None, lng="x").community == "DC0101"


def test_very_long_text_is_cut_not_choked_on(resolve):
    found = resolve(address="锦绣家园", content="很吵" * 50_000)
    assert found.community == "DC0101"


def test_an_ambiguous_name_leans_to_where_citizens_called_from_recently(resolve, new_order):
    from minhu.geo import store

    target = Place.objects.get(name="锦绣嘉园")
    building = target.children.first()
    before = resolve(address="锦绣那边")
    assert before.match.place_id != target.pk
    for _ in range(2):
        new_order(place_id=building.pk, community=None, address="")
    store.forget()  # the prior is read when the gazetteer is built
    after = resolve(address="锦绣那边")
    assert after.match.place_id == target.pk
    assert after.match.confidence < 0.4  # still a guess


def test_a_building_with_its_own_name_and_grid_keeps_them(resolve):
    from minhu.org.models import Unit

    compound = Place.objects.get(name="锦绣家园")
    building = Place.objects.get(parent=compound, name="3号楼")
    other_grid = Unit.objects.filter(parent=compound.community).exclude(
        pk=compound.grid_id).first()
    building.name, building.grid = "3幢", other_grid
    building.save()
    found = resolve(address="锦绣家园三号楼")
    assert found.match.place_id == building.pk
    assert found.match.grid_id == other_grid.pk
    assert found.match.evidence[-1] == "楼栋“3号楼”→3幢"


def test_a_unit_number_alone_is_read_as_the_building_with_a_note(resolve):
    compound = Place.objects.get(name="锦绣家园")
    building = Place.objects.get(parent=compound, name="3号楼")
    found = resolve(address="锦绣家园三单元")
    assert found.match.place_id == building.pk
    assert found.match.evidence[-1] == "楼栋“3单元”→3号楼（按单元号推测）"
