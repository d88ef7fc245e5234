"""Printable sheets (PDF with CJK text and the QR code), batches for a whole district with
a progress bar, and staff pages that show each unit only its own places."""

import base64
import re
import zlib

import pytest

from minhu.qrcodes.models import BatchStatus, QrBatch, QrCode, code_for
from minhu.qrcodes.scope import batch_places
from minhu.qrcodes.sheets import single_sheet


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def _literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes (escapes: \\ddd octal, \\n, \\(, \\), \\\\)."""
    out, i = bytearray(), 0
    simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(raw):
        ch = raw[i]
        if ch == 0x5C and i + 1 < len(raw):
            nxt = raw[i + 1]
            digits = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
            if digits:
                out.append(int(digits.group(0), 8) & 0xFF)
                i += 1 + len(digits.group(0))
                continue
            out.append(simple.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages. ReportLab writes page streams ASCII85 + Flate encoded,
    and CID-font strings as UTF-16BE (UniGB-UCS2-H)."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        stream = stream.strip()
        try:
            content = zlib.decompress(base64.a85decode(stream.removesuffix(b"~>")))
        except (ValueError, zlib.error):
            continue
        for lit in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
            text.append(_literal(lit).decode("utf-16-be", "replace"))
    return "\n".join(text)


def test_a_sheet_carries_the_code_place_community_and_instruction(building):
    qr = code_for(building)
    data = single_sheet(building, qr.code)
    assert data.startswith(b"%PDF") and pdf_pages(data) == 1
    assert b"STSong-Light" in data
    text = pdf_text(data)
    assert "扫码反映问题，社区先办" in text and str(building) in text
    assert building.community.name in text and qr.code in text


def test_a_place_keeps_its_code_until_it_is_renewed(building):
    first = code_for(building)
    assert code_for(building) == first
    QrCode.objects.filter(pk=first.pk).update(is_active=False)
    second = code_for(building)
    assert second.code != first.code and QrCode.objects.filter(place=building).count() == 2


def test_codes_avoid_look_alike_characters(building):
    code = code_for(building).code
    assert len(code) == 8 and not set(code) & set("01OIL")


def test_a_community_worker_prints_a_sheet_for_their_own_building(client, city, building):
    client.force_login(city.user("dc0101_handler"))
    page = client.get("/qr/manage/").content.decode()
    assert str(building.parent.name) in page
    assert '<a href="/qr/manage/" class="active">一码通</a>' in page  # in the top bar
    response = client.get(f"/qr/manage/places/{building.pk}/sheet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_community_does_not_see_another_communitys_buildings(client, city):
    from minhu.org.models import Place

    elsewhere = Place.objects.filter(kind="building").exclude(
        community__code="DC0101").first()
    client.force_login(city.user("dc0101_handler"))
    assert client.get(f"/qr/manage/places/{elsewhere.pk}/sheet.pdf").status_code == 404
    assert elsewhere.community.name not in client.get("/qr/manage/").content.decode() or \
        elsewhere.community.name in city.unit("DC0101").name


def test_people_outside_territorial_units_are_sent_home(client, city):
    for username in ("cgj_handler", "agent1", "dispatcher1"):
        client.force_login(city.user(username))
        assert client.get("/qr/manage/")["Location"] == "/"
    client.logout()
    assert client.get("/qr/manage/")["Location"].startswith("/login/")


def test_renewing_a_code_retires_the_old_one(client, city, building):
    old = code_for(building)
    client.force_login(city.user("dc0101_handler"))
    client.post(f"/qr/manage/places/{building.pk}/renew/")
    assert not QrCode.objects.get(pk=old.pk).is_active
    assert client.get(f"/qr/{old.code}/").status_code == 404


def test_a_street_batch_makes_one_page_per_building_and_compound(
        client, city, building, django_capture_on_commit_callbacks):
    street = city.unit("DC01")
    printed_before = code_for(building)  # a sign already on the wall keeps its code
    client.force_login(city.user("dc01_handler"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/qr/manage/batches/", {"unit": street.pk})
    batch = QrBatch.objects.get()
    assert response["Location"] == f"/qr/manage/batches/{batch.pk}/"
    # Huey runs inline in tests: the batch is finished once the request has committed.
    assert batch.status == BatchStatus.DONE
    expected = batch_places(street).count()
    assert batch.total == batch.done == expected > 10
    progress = client.get(f"/qr/manage/batches/{batch.pk}/", HTTP_HX_REQUEST="true")
    assert "100%" in progress.content.decode() and "hx-trigger" not in progress.content.decode()
    download = client.get(f"/qr/manage/batches/{batch.pk}/file/")
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF") and pdf_pages(data) == expected
    assert QrCode.objects.filter(place__community__path__startswith=street.path,
                                 is_active=True).count() == expected
    assert QrCode.objects.get(place=building, is_active=True) == printed_before
    assert printed_before.code in pdf_text(data)


def test_a_running_batch_shows_a_polling_progress_bar(client, city):
    from minhu.core import clock

    batch = QrBatch.objects.create(unit=city.unit("DC0101"), created_at=clock.now(),
                                   total=40, done=10, status=BatchStatus.RUNNING)
    client.force_login(city.user("dc0101_handler"))
    page = client.get(f"/qr/manage/batches/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "10 / 40（25%）" in page
    assert client.get(f"/qr/manage/batches/{batch.pk}/file/").status_code == 404


def test_a_community_cannot_batch_or_read_a_street_batch(client, city):
    from minhu.core import clock

    client.force_login(city.user("dc0101_handler"))
    client.post("/qr/manage/batches/", {"unit": city.unit("DC01").pk})
    assert not QrBatch.objects.exists()
    batch = QrBatch.objects.create(unit=city.unit("DC01"), created_at=clock.now())
    assert client.get(f"/qr/manage/batches/{batch.pk}/").status_code == 404


@pytest.mark.slow
def test_the_city_admin_batches_a_whole_district(client, city,
                                                django_capture_on_commit_callbacks):
    client.force_login(city.user("admin"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/qr/manage/batches/", {"unit": city.unit("DC").pk})
    batch = QrBatch.objects.get()
    assert batch.status == BatchStatus.DONE and batch.total > 100
    assert batch.total == batch_places(city.unit("DC")).count()


def test_the_printed_code_scans_to_the_places_address(building, tmp_path):
    """Render the sheet as a print shop would and read the code back with a real decoder
    (needs poppler's pdftoppm and the zxing-cpp package; skipped where they are absent)."""
    import shutil
    import subprocess

    zxingcpp = pytest.importorskip("zxingcpp")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image

    qr = code_for(building)
    (tmp_path / "sheet.pdf").write_bytes(single_sheet(building, qr.code))
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp_path / "sheet.pdf"),
                    str(tmp_path / "sheet")], check=True, timeout=60)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "sheet.png"))
    assert [b.text for b in found] == [f"https://12345.yunzhou.example/qr/{qr.code}/"]


def test_a_street_reaches_its_communities_buildings_and_no_others(client, city, building):
    from minhu.org.models import Place

    other_street = Place.objects.filter(kind="building").exclude(
        community__path__startswith=city.unit("DC01").path).first()
    client.force_login(city.user("dc01_handler"))
    assert client.get(f"/qr/manage/places/{building.pk}/sheet.pdf").status_code == 200
    assert client.get(f"/qr/manage/places/{other_street.pk}/sheet.pdf").status_code == 404
    client.force_login(city.user("dc_handler"))  # the district reaches both of its streets
    assert client.get(f"/qr/manage/places/{building.pk}/sheet.pdf").status_code == 200
