from django.contrib import admin

from .models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: which client sent what, and which order it became (via the raw row)."""

    list_display = ("token", "client", "order_number", "created_at")
    list_select_related = ("client", "raw__order")
    search_fields = ("token", "raw__order__number")
    readonly_fields = ("token", "raw", "client", "fingerprint", "idempotency_key", "media_url",
                       "created_at")

    @admin.display(description="工单编号")
    def order_number(self, obj):
        return obj.raw.order.number if obj.raw.order_id else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
