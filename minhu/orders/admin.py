"""Orders in the admin are read-only: every change goes through the actions (API, CLI
and, later, the role workspaces), so the timeline stays complete."""

from django.contrib import admin

from .models import Assignment, TimelineEvent, WorkOrder


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ("unit", "role", "state", "dispatched_at", "sign_due_at", "signed_at", "due_at",
              "replied_at")
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = TimelineEvent
    fields = ("seq", "at", "action", "actor", "from_state", "to_state", "target_unit", "note")
    readonly_fields = fields
    ordering = ("seq",)


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "state", "channel", "request_type", "category", "urgency",
                    "lead_unit", "created_at", "due_at", "is_overdue")
    list_filter = ("state", "channel", "request_type", "urgency", "is_overdue", "is_supervised")
    search_fields = ("number",)
    date_hierarchy = "created_at"
    inlines = [AssignmentInline, EventInline]
    exclude = ("citizen_name", "citizen_phone")
    list_select_related = ("request_type", "category", "category__parent", "urgency", "lead_unit")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
