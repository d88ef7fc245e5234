from django.contrib import admin

from minhu.orders.access import mask_phone

from .models import AgentExtension, CallRecord


@admin.register(AgentExtension)
class AgentExtensionAdmin(admin.ModelAdmin):
    list_display = ("extension", "user")
    search_fields = ("extension", "user__username", "user__display_name")
    autocomplete_fields = ("user",)


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):
    list_display = ("call_id", "masked_caller", "agent", "entered_at", "outcome",
                    "wait_seconds", "talk_seconds", "source")
    list_filter = ("outcome", "source")
    search_fields = ("call_id",)
    date_hierarchy = "entered_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="主叫号码")
    def masked_caller(self, obj):
        return mask_phone(obj.caller) if obj.caller else "—"
