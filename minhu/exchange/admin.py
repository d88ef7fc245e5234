from django.contrib import admin

from .models import CodeMapping, ProvinceOrder


@admin.register(CodeMapping)
class CodeMappingAdmin(admin.ModelAdmin):
    list_display = ("kind", "province_code", "province_name", "our_code")
    list_filter = ("kind",)
    search_fields = ("province_code", "province_name", "our_code")


@admin.register(ProvinceOrder)
class ProvinceOrderAdmin(admin.ModelAdmin):
    list_display = ("province_no", "order", "received_at", "province_due_at",
                    "internal_due_at", "needs_review")
    list_filter = ("needs_review",)
    search_fields = ("province_no", "order__number")
    raw_id_fields = ("order", "raw")
    readonly_fields = ("province_no", "order", "raw", "received_at", "province_due_at",
                       "internal_due_at", "deadline_ratio", "province_codes", "unmapped")
