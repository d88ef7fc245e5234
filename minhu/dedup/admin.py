from django.contrib import admin

from .models import Incident, RepeatLink


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Read-only: incidents are the detector's suggestions, merged from the incidents page."""

    list_display = ("pk", "place_label", "community", "category", "size", "opened_at",
                    "last_seen_at", "is_open")
    list_filter = ("is_open",)
    raw_id_fields = ("master", "place", "community", "category")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RepeatLink)
class RepeatLinkAdmin(admin.ModelAdmin):
    list_display = ("order", "earlier", "score", "reason", "created_at")
    raw_id_fields = ("order", "earlier")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
