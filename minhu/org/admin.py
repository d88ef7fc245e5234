from django.contrib import admin

from .models import Place, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "code", "kind", "contact_phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "short_name")
    autocomplete_fields = ("parent", "serves")
    list_per_page = 100

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj):
        return "　" * obj.depth + obj.name


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "community", "grid", "lat", "lng")
    list_filter = ("kind",)
    search_fields = ("name", "aliases", "address")
    autocomplete_fields = ("parent", "community", "grid")
