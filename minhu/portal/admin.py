from django.contrib import admin

from .models import TrackCode


@admin.register(TrackCode)
class TrackCodeAdmin(admin.ModelAdmin):
    """Only the hash is stored: operators see when codes were asked for, never a code."""

    list_display = ("order", "created_at", "expires_at", "attempts", "used_at", "remote_addr")
    search_fields = ("order__number",)
    readonly_fields = ("order", "code_hash", "created_at", "expires_at", "attempts", "used_at",
                       "remote_addr")

    def has_add_permission(self, request):
        return False
