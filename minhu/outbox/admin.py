from django.contrib import admin

from .models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "url", "is_active", "max_attempts")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "url")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("pk", "endpoint", "order", "seq", "event", "status", "attempts",
                    "last_status", "next_attempt_at", "delivered_at")
    list_filter = ("status", "endpoint")
    search_fields = ("order__number", "event")
    raw_id_fields = ("order",)
    readonly_fields = ("endpoint", "order", "seq", "event", "payload", "created_at",
                       "delivered_at", "attempts", "last_status", "last_error")

    def has_add_permission(self, request):
        return False
