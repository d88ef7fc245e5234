from django.contrib import admin, messages

from minhu.core.errors import MinhuError

from .actions import retry_failed
from .models import RawIntake


@admin.register(RawIntake)
class RawIntakeAdmin(admin.ModelAdmin):
    """Inspection of everything that arrived, above all what did not become an order."""

    list_display = ("received_at", "channel", "source", "external_id", "status", "error_code",
                    "order")
    list_filter = ("channel", "status", "source")
    search_fields = ("external_id", "source", "error_code", "order__number")
    date_hierarchy = "received_at"
    list_select_related = ("order",)
    readonly_fields = [f.name for f in RawIntake._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="重新处理所选的失败记录")
    def retry(self, request, queryset):
        done = 0
        for raw in queryset:
            try:
                retry_failed(raw)
                done += 1
            except MinhuError as exc:
                self.message_user(request, f"#{raw.pk}：{exc.message}", messages.WARNING)
        if done:
            self.message_user(request, f"已重新处理 {done} 条记录")
