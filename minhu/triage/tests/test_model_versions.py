import pytest
from django.urls import reverse

from minhu.audit.models import AuditEntry
from minhu.core.errors import Forbidden
from minhu.triage import modelstore, rules
from minhu.triage.actions import do_activate_model
from minhu.triage.bundle import Row, fit_bundle
from minhu.triage.classify import classify
from minhu.triage.coldstart import parent_map
from minhu.triage.models import ModelVersion


@pytest.fixture(autouse=True)
def fresh_caches():
    modelstore.reset()
    rules.invalidate()
    yield
    modelstore.reset()


TINY_ROWS = [Row(t, c, "complaint", "normal") for t, c in (
    ("停水了没有水", "SZ01"), ("又停水了没有水", "SZ01"), ("太吵了噪音扰民", "CG01"),
    ("噪音扰民太吵了", "CG01"))]


@pytest.fixture
def version(db):
    """A stored (tiny) model version; ``version(accuracy=.8)``."""
    from minhu.core import clock

    blob = fit_bundle(TINY_ROWS, parent_map()).dumps()

    def make(accuracy=0.8, kind="city", note=""):
        return ModelVersion.objects.create(
            kind=kind, created_at=clock.now(), n_train=4, size_bytes=1024, blob=blob, note=note,
            metrics={"category": {"n": 10, "accuracy": accuracy, "macro_f1": 0.7,
                                  "top3_accuracy": 0.9},
                     "first_level": {"n": 10, "accuracy": 0.9, "macro_f1": 0.8,
                                     "top3_accuracy": 1.0},
                     "urgency": {"n": 10, "accuracy": 0.9, "macro_f1": 0.5,
                                 "top3_accuracy": 1.0, "urgent_recall": 1.0}})

    return make


def test_activating_a_version_switches_classify_to_it_at_once(city, version):
    v = version()
    assert classify("停水了").model_version is None
    do_activate_model(v, city.user("admin"))
    result = classify("停水了")
    assert result.model_version == v.pk
    assert result.category.evidence.startswith(f"模型 v{v.pk}")


def test_only_one_version_is_active_and_the_switch_is_audited(city, version):
    admin = city.user("admin")
    first, second = version(), version()
    do_activate_model(first, admin)
    do_activate_model(second, admin)
    assert list(ModelVersion.objects.filter(is_active=True)) == [second]
    entry = AuditEntry.objects.filter(action="triage_model_activate").first()
    assert entry.actor == admin and entry.object_id == str(second.pk)
    assert f"v{first.pk}" in entry.fields


def test_rolling_back_is_activating_an_older_version(city, version):
    admin = city.user("admin")
    old, new = version(), version()
    do_activate_model(new, admin)
    do_activate_model(old, admin, rollback=True)
    assert ModelVersion.objects.get(is_active=True) == old
    assert AuditEntry.objects.filter(action="triage_model_rollback").exists()


def test_only_administrators_may_activate(city, version):
    with pytest.raises(Forbidden):
        do_activate_model(version(), city.dispatcher)


def test_the_versions_page_lists_versions_with_figures_for_administrators(city, version, client):
    v = version(accuracy=0.8123, note="第一版")
    do_activate_model(v, city.user("admin"))
    client.force_login(city.user("admin"))
    page = client.get(reverse("triage:models"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"v{v.pk}" in html and "81.2%" in html and "使用中" in html and "第一版" in html
    assert 'id="versions-chart"' in html and "echarts" in html


def test_others_are_refused_the_versions_page(city, client):
    client.force_login(city.dispatcher)
    assert client.get(reverse("triage:models")).status_code == 403
    client.logout()
    assert client.get(reverse("triage:models")).status_code == 302  # to the login page


def test_the_activate_button_activates_and_offers_rollback_for_older_versions(city, version,
                                                                             client):
    old, new = version(), version()
    client.force_login(city.user("admin"))
    response = client.post(reverse("triage:model-activate", args=[new.pk]))
    assert response.status_code == 302
    assert ModelVersion.objects.get(is_active=True) == new
    html = client.get(reverse("triage:models")).content.decode()
    assert "回滚到此版本" in html
    client.post(reverse("triage:model-activate", args=[old.pk]))
    assert ModelVersion.objects.get(is_active=True) == old
    assert AuditEntry.objects.filter(action="triage_model_rollback").exists()


def test_activating_a_missing_version_is_a_message_not_an_error(city, client):
    client.force_login(city.user("admin"))
    response = client.post(reverse("triage:model-activate", args=[999999]), follow=True)
    assert response.status_code == 200
    assert "模型版本不存在" in response.content.decode()


def test_a_dispatcher_cannot_activate_through_the_page(city, version, client):
    v = version()
    client.force_login(city.dispatcher)
    assert client.post(reverse("triage:model-activate", args=[v.pk])).status_code == 403
    assert not ModelVersion.objects.filter(is_active=True).exists()


def test_activation_needs_post(city, version, client):
    client.force_login(city.user("admin"))
    assert client.get(reverse("triage:model-activate", args=[version().pk])).status_code == 405


def test_the_admin_shows_versions_read_only_without_the_blob(city, version, client):
    v = version()
    client.force_login(city.user("admin"))
    page = client.get(f"/admin/triage/modelversion/{v.pk}/change/")
    assert page.status_code == 200
    assert "blob" not in page.content.decode().lower()


def test_the_built_in_model_is_stored_as_a_version_with_its_figures_without_training_again(db):
    from minhu.triage.modelstore import builtin
    from minhu.triage.training import store_cold_start

    version = store_cold_start(note="演示城市：内置初始模型")
    assert version.kind == "cold_start" and not version.is_active
    assert version.blob and version.size_bytes > 0 and version.n_train > 1000
    assert version.metrics["category"]["accuracy"] > 0.5
    assert version.metrics["first_level"]["accuracy"] >= version.metrics["category"]["accuracy"]
    assert builtin().meta["fingerprint"]  # the same model the platform already uses
