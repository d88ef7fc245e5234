from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

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


@admin.register(UrgencyTier)
class UrgencyTierAdmin(admin.ModelAdmin):
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


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ("category", "area_name", "lead_unit", "lead_level", "audience")
    list_filter = ("audience", "lead_level")
    search_fields = ("category__code", "category__name", "lead_unit__name", "note")
    autocomplete_fields = ("category", "area", "lead_unit")
    filter_horizontal = ("co_units",)
    list_select_related = ("category__parent", "area", "lead_unit")

    @admin.display(description="适用辖区", ordering="area__name")
    def area_name(self, obj):
        return obj.area.name if obj.area_id else "全市"


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
