from django import forms
from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from .kinds import UnitKind
from .models import Place, Unit


class DistrictFilter(admin.SimpleListFilter):
    """Everything inside one district (its streets, communities, grids and bureaus)."""

    title = "所属区县"
    parameter_name = "district"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in
                Unit.objects.filter(kind=UnitKind.DISTRICT).order_by("path")
                .values_list("pk", "name")]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        district = Unit.objects.filter(pk=self.value(), kind=UnitKind.DISTRICT).first()
        if district is None:
            return queryset.none()
        return queryset.filter(path__startswith=district.path)


class OneUnitFilter(admin.SimpleListFilter):
    """Rows tied to one unit given by id in the query string (links from other lists lead
    here). Only the chosen unit is offered: listing every unit would be unreadable."""

    field = "unit_id"

    def lookups(self, request, model_admin):
        value = self.value()
        if value and value.isdigit():
            unit = Unit.objects.filter(pk=value).first()
            if unit is not None:
                return [(value, unit.name)]
        return []

    def queryset(self, request, queryset):
        if (self.value() or "").isdigit():
            return queryset.filter(**{self.field: self.value()})
        return queryset


class ParentFilter(OneUnitFilter):
    """The direct children of one unit (the “下级单位” links of the list lead here)."""

    title = "上级单位"
    parameter_name = "parent"
    field = "parent_id"


def _count_of(model_qs, field: str):
    """A correlated count, so several counts on one list do not multiply each other."""
    rows = (model_qs.filter(**{field: OuterRef("pk")}).order_by().values(field)
            .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "parent", "serves", "contact_phone",
                  "lat", "lng", "is_active"]
        help_texts = {
            "code": "单位的唯一编码，如 DC01。工单、接口、导入和权责清单都用它指代单位，"
                    "建好后请不要再改。",
            "name": "全称，如“东城区文昌街道”。派单、通知和报表上显示的就是它。",
            "short_name": "可不填。图表等位置较窄时使用，如“城管局”。",
            "kind": "单位在体系中的位置：市级中心、分中心、区县、街道乡镇、社区村、网格、"
                    "委办局或公共服务企业。",
            "parent": "上级单位决定它在组织树中的位置：街道的上级是区县，社区的上级是街道，"
                      "网格的上级是社区。",
            "serves": "只有分中心填写：该分中心负责派单的区县。",
            "contact_phone": "督办、回访时联系该单位用的电话。",
            "lat": "可不填。用于地图显示。",
            "lng": "可不填。用于地图显示。",
            "is_active": "停用后不能再向该单位派单，历史工单不受影响。",
        }

    def clean(self):
        data = super().clean()
        kind, serves = data.get("kind"), data.get("serves")
        if serves is not None and kind != UnitKind.SUB_CENTRE:
            self.add_error("serves", "只有分中心需要填写服务辖区")
        parent = data.get("parent")
        if parent is not None and self.instance.pk and self.instance.path \
                and parent.path.startswith(self.instance.path):
            self.add_error("parent", "上级单位不能是它自己或它的下级单位")
        return data


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitForm
    list_display = ("indented_name", "code", "kind", "parent_name", "staff", "children_link",
                    "contact_phone", "is_active")
    list_filter = ("kind", DistrictFilter, ParentFilter, "is_active")
    search_fields = ("name", "code", "short_name")
    autocomplete_fields = ("parent", "serves")
    list_select_related = ("parent",)
    list_per_page = 100
    # No bulk actions: units are referenced by orders and staff; retire one by unticking
    # “启用” instead of deleting it.
    actions = None
    fieldsets = (
        (None, {"fields": ("name", "short_name", "code", "kind", "parent", "is_active")}),
        ("联系与位置", {"fields": ("contact_phone", ("lat", "lng"))}),
        ("分中心", {"fields": ("serves",), "classes": ("collapse",),
                    "description": "仅分中心填写：它负责派单的区县。"}),
    )

    def save_model(self, request, obj, form, change):
        old_path = Unit.objects.filter(pk=obj.pk).values_list("path", flat=True).first()
        super().save_model(request, obj, form, change)
        if old_path and old_path != obj.path:
            # Moved or renamed: the units below follow (their paths start with this one's).
            for unit in (Unit.objects.filter(path__startswith=old_path).exclude(pk=obj.pk)
                         .order_by("depth")):
                unit.save()

    def get_queryset(self, request):
        from minhu.accounts.models import User

        return super().get_queryset(request).annotate(
            n_staff=_count_of(User.objects.filter(is_active=True), "unit"),
            n_children=_count_of(Unit.objects.all(), "parent"),
        )

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj):
        return "　" * obj.depth + obj.name

    @admin.display(description="上级单位", ordering="parent__path")
    def parent_name(self, obj):
        return obj.parent.name if obj.parent_id else "—"

    @admin.display(description="工作人员", ordering="n_staff")
    def staff(self, obj):
        if not obj.n_staff:
            return 0
        url = reverse("admin:accounts_user_changelist") + f"?unit={obj.pk}"
        return format_html('<a href="{}">{} 人</a>', url, obj.n_staff)

    @admin.display(description="下级单位", ordering="n_children")
    def children_link(self, obj):
        if not obj.n_children:
            return "—"
        url = reverse("admin:org_unit_changelist") + f"?parent={obj.pk}"
        return format_html('<a href="{}">{} 个</a>', url, obj.n_children)


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "community", "grid", "lat", "lng")
    list_filter = ("kind",)
    search_fields = ("name", "aliases", "address")
    autocomplete_fields = ("parent", "community", "grid")
    list_select_related = ("parent", "community", "grid")


# --- The admin index: what a city's administrator maintains most, first ---------------

# (app label, model name) in the order they are shown under “常用配置”.
COMMON = [
    ("org", "unit"),
    ("accounts", "user"),
    ("catalog", "category"),
    ("catalog", "urgencytier"),
    ("workcal", "calendarday"),
    ("catalog", "responsibility"),
]
APP_ORDER = ["catalog", "org", "accounts", "workcal", "orders", "notices", "audit"]

_default_get_app_list = admin.site.get_app_list


def get_app_list(request, app_label=None):
    """The index starts with the six things an administrator maintains (组织机构, 工作人员,
    诉求分类, 紧急程度与时限, 节假日日历, 权责清单); the other apps follow in a fixed order."""
    apps = _default_get_app_list(request, app_label)
    if app_label is not None:
        return apps
    found = {}
    for app in apps:
        for model in app["models"]:
            key = (app["app_label"], model["object_name"].lower())
            if key in COMMON:
                found[key] = model
    common = [found[key] for key in COMMON if key in found]
    if not common:
        return apps
    rest = []
    for app in apps:
        models = [m for m in app["models"]
                  if (app["app_label"], m["object_name"].lower()) not in found]
        if models:
            rest.append({**app, "models": models})
    rank = {label: i for i, label in enumerate(APP_ORDER)}
    rest.sort(key=lambda a: (rank.get(a["app_label"], len(rank)), a["name"]))
    head = {"name": "常用配置", "app_label": "common",
            "app_url": reverse("admin:index") + "#common", "has_module_perms": True,
            "models": common}
    return [head, *rest]


admin.site.get_app_list = get_app_list
