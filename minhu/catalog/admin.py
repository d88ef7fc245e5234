from django import forms
from django.contrib import admin
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse

from minhu.org.kinds import UnitKind

from .models import (
    CallbackDimension,
    Category,
    PlatformSettings,
    RequestType,
    Responsibility,
    UrgencyTier,
)


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "can_answer_directly", "confidential_by_default", "sort")
    list_editable = ("can_answer_directly", "confidential_by_default", "sort")


class LevelFilter(admin.SimpleListFilter):
    title = "层级"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("1", "一级分类"), ("2", "二级分类")]

    def queryset(self, request, queryset):
        if self.value() in ("1", "2"):
            return queryset.filter(parent__isnull=self.value() == "1")
        return queryset


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "parent", "keywords", "is_active", "sort"]
        help_texts = {
            "code": "分类编码：一级两个字母（如 CG），二级为上级编码加两位数字（如 CG01）。"
                    "权责清单和报表都引用它，建好后请不要再改。",
            "parent": "留空即一级分类；二级分类请选择它所属的一级分类。",
            "keywords": "市民常说的词，以逗号分隔，如“没水,停水,水压低”。"
                        "工单没有分类时，派单台按这些词推测分类。",
            "is_active": "停用后登记和派单时不再可选，历史工单不受影响。",
            "sort": "数字小的排在前面。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The taxonomy has two levels: only a first-level category can be a parent.
        parent = self.fields["parent"]
        parent.queryset = Category.objects.filter(parent__isnull=True).exclude(pk=self.instance.pk)

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if parent and self.instance.pk and self.instance.children.exists():
            raise forms.ValidationError("该分类下已有二级分类，不能再归入其他分类")
        return parent


class ChildCategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ("code", "name", "keywords", "is_active", "sort")
    extra = 0
    verbose_name = "二级分类"
    verbose_name_plural = "二级分类"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ("code", "name", "parent", "is_active", "sort")
    list_filter = (LevelFilter, ("parent", admin.RelatedOnlyFieldListFilter), "is_active")
    search_fields = ("code", "name", "keywords")
    list_select_related = ("parent",)
    list_per_page = 100

    def get_inlines(self, request, obj):
        # Second-level categories are edited under their (saved) first-level one.
        return [ChildCategoryInline] if obj is not None and obj.parent_id is None else []


class UrgencyTierForm(forms.ModelForm):
    class Meta:
        model = UrgencyTier
        fields = ["code", "name", "handle_limit", "handle_unit", "sign_limit", "sign_unit",
                  "yellow_ratio", "sort"]
        help_texts = {
            "code": "编码，如 urgent、normal。接口和导入用它指代紧急程度，建好后请不要再改。",
            "handle_limit": "从派单起算、承办单位必须办结答复的时限数值，单位见下一项。",
            "handle_unit": "“工作日”不计周末和法定节假日（按节假日日历，含调休）；"
                           "“自然日”“自然小时”连续计算。",
            "sign_limit": "派单后承办单位必须签收的时限数值，超过即记签收超时。",
            "sign_unit": "签收时限的计量单位。",
            "yellow_ratio": "已用时限达到该比例时亮黄灯提醒，例如 0.80 表示用掉八成时限时提醒。",
            "sort": "数字小的排在前面，也决定派单台的排序（越紧急越靠前）。",
        }


@admin.register(UrgencyTier)
class UrgencyTierAdmin(admin.ModelAdmin):
    form = UrgencyTierForm
    list_display = (
        "name",
        "code",
        "handle_limit",
        "handle_unit",
        "sign_limit",
        "sign_unit",
        "yellow_ratio",
        "sort",
    )
    list_display_links = ("name",)
    list_editable = (
        "handle_limit",
        "handle_unit",
        "sign_limit",
        "sign_unit",
        "yellow_ratio",
        "sort",
    )


class TopCategoryFilter(admin.SimpleListFilter):
    title = "一级分类"
    parameter_name = "top"

    def lookups(self, request, model_admin):
        return list(Category.objects.filter(parent__isnull=True).order_by("code")
                    .values_list("code", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(Q(category__code=self.value())
                                   | Q(category__parent__code=self.value()))
        return queryset


class AreaFilter(admin.SimpleListFilter):
    title = "适用辖区"
    parameter_name = "area"

    def lookups(self, request, model_admin):
        from minhu.org.models import Unit

        return [("city", "全市"), *[(str(pk), name) for pk, name in Unit.objects.filter(
            kind=UnitKind.DISTRICT).order_by("path").values_list("pk", "name")]]

    def queryset(self, request, queryset):
        if self.value() == "city":
            return queryset.filter(area__isnull=True)
        if (self.value() or "").isdigit():
            return queryset.filter(area_id=self.value())
        return queryset


TERRITORIAL = [(k.value, k.label) for k in (UnitKind.DISTRICT, UnitKind.STREET,
                                            UnitKind.COMMUNITY, UnitKind.GRID)]


class ResponsibilityForm(forms.ModelForm):
    co_levels = forms.MultipleChoiceField(
        label="协办属地层级", required=False, choices=TERRITORIAL,
        widget=forms.CheckboxSelectMultiple,
        help_text="按工单地点自动加上的属地协办单位，例如勾选“街道/乡镇”即由诉求所在街道协办。",
    )

    class Meta:
        model = Responsibility
        fields = ["category", "area", "audience", "lead_unit", "lead_level", "co_units",
                  "co_levels", "note"]
        help_texts = {
            "category": "选二级分类只管这一类；选一级分类则管它下面所有没有单独规定的二级分类。",
            "area": "留空表示全市适用；选某个区县或街道，则只在该辖区内适用，并优先于全市的规定。",
            "audience": "个人诉求和企业诉求可以由不同单位负责；“全部”表示不区分。",
            "lead_unit": "固定的主办单位，如“市水务局”。与“主办属地层级”二选一。",
            "lead_level": "不指定固定单位时，由诉求地点所属的这一级属地单位主办，"
                          "如“街道/乡镇”即诉求所在的街道。",
            "co_units": "固定的协办单位，可多选；可输入名称搜索。",
            "note": "给其他管理员看的说明，如依据的文件。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["co_levels"] = [x.strip() for x in self.instance.co_levels.split(",")
                                         if x.strip()]

    def clean_co_levels(self):
        return ",".join(self.cleaned_data.get("co_levels") or [])

    def clean(self):
        data = super().clean()
        if not data.get("lead_unit") and not data.get("lead_level"):
            raise forms.ValidationError("请指定主办单位，或选择由哪一级属地单位主办（二选一）")
        if data.get("lead_unit") and data.get("lead_level"):
            self.add_error("lead_level", "已指定固定的主办单位，这里请留空")
        return data


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    form = ResponsibilityForm
    list_display = ("category", "area_name", "audience", "lead", "co", "note")
    list_filter = (TopCategoryFilter, AreaFilter, "audience", "lead_level")
    search_fields = ("category__code", "category__name", "lead_unit__name", "co_units__name",
                     "note")
    autocomplete_fields = ("category", "area", "lead_unit", "co_units")
    list_select_related = ("category__parent", "area", "lead_unit")
    list_per_page = 50
    ordering = ("category__code", "area__path", "audience")
    fieldsets = (
        ("什么事、在哪里", {"fields": ("category", "area", "audience")}),
        ("谁主办", {"fields": ("lead_unit", "lead_level"),
                    "description": "固定单位或属地层级，二选一。"}),
        ("谁协办", {"fields": ("co_units", "co_levels")}),
        (None, {"fields": ("note",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("co_units")

    @admin.display(description="适用辖区", ordering="area__name")
    def area_name(self, obj):
        return obj.area.name if obj.area_id else "全市"

    @admin.display(description="主办", ordering="lead_unit__name")
    def lead(self, obj):
        if obj.lead_unit_id:
            return obj.lead_unit.name
        return f"属地{UnitKind.label_of(obj.lead_level)}" if obj.lead_level else "—"

    @admin.display(description="协办")
    def co(self, obj):
        names = [u.name for u in obj.co_units.all()]
        names += [f"属地{UnitKind.label_of(x.strip())}" for x in obj.co_levels.split(",")
                  if x.strip()]
        return "、".join(names) or "—"


@admin.register(CallbackDimension)
class CallbackDimensionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_active", "sort")
    list_editable = ("is_active", "sort")


@admin.register(PlatformSettings)
class PlatformSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PlatformSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # A single row: go straight to it instead of a one-line list.
        row = PlatformSettings.objects.first()
        if row is not None and self.has_view_or_change_permission(request, row):
            return redirect(reverse("admin:catalog_platformsettings_change", args=[row.pk]))
        return super().changelist_view(request, extra_context)
