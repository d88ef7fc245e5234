import json

from django import forms
from django.contrib import admin

from .boundaries import LEVELS, check_geometry
from .models import Boundary


class BoundaryForm(forms.ModelForm):
    class Meta:
        model = Boundary
        fields = ["unit", "geojson"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].queryset = self.fields["unit"].queryset.filter(kind__in=LEVELS)

    def clean_geojson(self):
        text = self.cleaned_data["geojson"]
        try:
            data = json.loads(text)
        except ValueError:
            raise forms.ValidationError("不是有效的 JSON") from None
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        _, problem = check_geometry(data)
        if problem:
            raise forms.ValidationError(problem)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@admin.register(Boundary)
class BoundaryAdmin(admin.ModelAdmin):
    form = BoundaryForm
    list_display = ["unit", "unit_code", "updated_at"]
    search_fields = ["unit__code", "unit__name"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]

    @admin.display(description="编码", ordering="unit__code")
    def unit_code(self, obj):
        return obj.unit.code
