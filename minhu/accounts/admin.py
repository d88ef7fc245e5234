from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "unit", "is_active", "last_login")
    list_filter = ("groups", "is_active", "unit__kind")
    search_fields = ("username", "display_name", "phone", "unit__name")
    autocomplete_fields = ("unit",)
    fieldsets = BaseUserAdmin.fieldsets + (("民呼", {"fields": ("display_name", "phone", "unit")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    search_fields = ("name", "user__username")
