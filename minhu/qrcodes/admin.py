from django.contrib import admin

from .models import QrBatch, QrCode


@admin.register(QrCode)
class QrCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "place", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("code", "place__name", "place__address")
    raw_id_fields = ("place",)
    readonly_fields = ("code", "created_at")


@admin.register(QrBatch)
class QrBatchAdmin(admin.ModelAdmin):
    list_display = ("unit", "status", "done", "total", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = ("unit", "requested_by", "created_at", "finished_at", "total", "done",
                       "status", "file", "error")
