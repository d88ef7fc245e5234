import time

from minhu.geo import gazetteer, store
from minhu.org.models import Place, Unit


def test_the_gazetteer_is_built_once_per_process(db):
    first = store.current()
    assert store.current() is first
    assert first.built_in_ms > 0
    assert first.terms > 1000


def test_a_new_place_is_found_right_after_it_is_saved(resolve):
    assert resolve(address="云栖书院").match.confidence == 0
    Place.objects.create(name="云栖书院", kind="landmark",
                         community=Unit.objects.get(code="DC0103"))
    assert resolve(address="云栖书院").community == "DC0103"


def test_a_renamed_or_deleted_place_is_forgotten(resolve):
    place = Place.objects.get(name="春溪花园")
    assert resolve(address="春溪花园").community == "DC0102"
    place.name = "春溪雅居"
    place.aliases = ""
    place.save()
    assert resolve(address="春溪雅居").community == "DC0102"
    assert resolve(address="春溪花园").match.place_id != place.pk
    Place.objects.filter(parent=place).delete()
    place.delete()
    assert resolve(address="春溪雅居").match.confidence == 0


def test_a_renamed_unit_is_seen_at_once(resolve):
    unit = Unit.objects.get(code="DC0103")
    unit.name = "紫云社区"
    unit.save()
    assert resolve(address="紫云社区").community == "DC0103"


def test_rows_written_in_bulk_are_noticed_by_the_periodic_check(resolve, monkeypatch):
    monkeypatch.setattr(store, "_uncommitted_until", 0.0)  # as in a process that saved nothing
    before = store.current()
    Place.objects.bulk_create([Place(name="望湖书院", kind="landmark",
                                     community=Unit.objects.get(code="DC0103"))])
    assert store.current() is before  # no signal, and the check is not due yet
    monkeypatch.setattr(store, "STALE_CHECK_SECONDS", 0)
    time.sleep(0.001)
    assert store.current() is not before
    assert resolve(address="望湖书院").community == "DC0103"


def test_another_process_forgetting_is_noticed_through_the_shared_counter(db, monkeypatch):
    from django.core.cache import cache

    before = store.current()
    cache.set(gazetteer.VERSION_KEY, (before.version or 0) + 1000, None)
    monkeypatch.setattr(store, "STALE_CHECK_SECONDS", 0)
    time.sleep(0.001)
    assert store.current() is not before


def test_a_large_city_keeps_serving_the_old_gazetteer_while_a_new_one_is_built(
        db, monkeypatch):
    import threading

    monkeypatch.setattr(store, "BACKGROUND_ABOVE_PLACES", 0)
    old = store.current()
    store.forget()
    assert store.current() is old  # no waiting for the build
    for thread in threading.enumerate():
        if thread.name == "minhu-gazetteer":
            thread.join(timeout=60)
    fresh = store.current()
    assert fresh is not old
    assert fresh.terms == old.terms
