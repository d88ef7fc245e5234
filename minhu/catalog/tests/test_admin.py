import pytest
from django.urls import reverse

from minhu.catalog.models import Category, PlatformSettings

pytestmark = pytest.mark.django_db

MODELS = ["requesttype", "category", "urgencytier", "responsibility", "callbackdimension"]


@pytest.fixture
def taxonomy():
    top = Category.objects.create(code="ZT", name="测试一级")
    child = Category.objects.create(
        code="ZT01", name="测试二级", parent=top, keywords="甲乙丙丁,戊己"
    )
    return top, child


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_add_page_opens(admin_client, model, taxonomy):
    assert admin_client.get(reverse(f"admin:catalog_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:catalog_{model}_add")).status_code == 200


def test_categories_can_be_searched_by_keyword(admin_client, taxonomy):
    response = admin_client.get(reverse("admin:catalog_category_changelist"), {"q": "甲乙丙丁"})
    assert "测试二级" in response.text
    assert response.context["cl"].result_count == 1


def test_second_level_categories_are_edited_under_their_parent(admin_client, taxonomy):
    top, child = taxonomy
    page = admin_client.get(reverse("admin:catalog_category_change", args=[top.pk]))
    assert "children-TOTAL_FORMS" in page.text
    page = admin_client.get(reverse("admin:catalog_category_change", args=[child.pk]))
    assert "children-TOTAL_FORMS" not in page.text


def test_a_category_with_children_cannot_be_moved_under_another(admin_client, taxonomy):
    top, _ = taxonomy
    other = Category.objects.create(code="ZU", name="另一个一级")
    url = reverse("admin:catalog_category_change", args=[top.pk])
    data = {
        "code": "ZT",
        "name": "测试一级",
        "parent": other.pk,
        "keywords": "",
        "is_active": "on",
        "sort": 0,
        "children-TOTAL_FORMS": 0,
        "children-INITIAL_FORMS": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "该分类下已有二级分类" in response.text
    top.refresh_from_db()
    assert top.parent is None


def test_platform_settings_are_one_row_that_cannot_be_added_or_deleted(admin_client):
    row = PlatformSettings.objects.get()
    response = admin_client.get(reverse("admin:catalog_platformsettings_changelist"))
    assert response.url == reverse("admin:catalog_platformsettings_change", args=[row.pk])
    assert admin_client.get(reverse("admin:catalog_platformsettings_add")).status_code == 403
    delete = reverse("admin:catalog_platformsettings_delete", args=[row.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert PlatformSettings.objects.count() == 1
