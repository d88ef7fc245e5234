from django.contrib import admin

from .models import Partner, PartnerRequest


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "channel", "is_active", "endpoint", "created_at")
    list_filter = ("channel", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("account", "endpoint")
    readonly_fields = ("code", "account", "created_at")

    def has_add_permission(self, request):
        # `minhu partner add` creates the service account and the webhook endpoint too.
        return False


@admin.register(PartnerRequest)
class PartnerRequestAdmin(admin.ModelAdmin):
    list_display = ("partner", "their_id", "order", "created_at")
    list_filter = ("partner",)
    search_fields = ("their_id", "order__number")
    raw_id_fields = ("order",)
    readonly_fields = ("partner", "their_id", "order", "fingerprint", "created_at")

    def has_add_permission(self, request):
        return False
