from django import forms
from django.contrib import admin

from minhu.catalog.models import Category, RequestType, UrgencyTier

from .models import KeywordRule, ModelVersion, RuleTarget, TriagePolicy
from .rules import parse_pattern


class KeywordRuleForm(forms.ModelForm):
    class Meta:
        model = KeywordRule
        fields = ("name", "pattern", "exclude", "target", "value", "priority", "is_active")

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        if not parse_pattern(pattern):
            raise forms.ValidationError("请至少填写一个关键词")
        return pattern.strip()

    def clean(self):
        data = super().clean()
        target, value = data.get("target"), (data.get("value") or "").strip()
        if target and value:
            known = {
                RuleTarget.CATEGORY: Category.objects.filter(code=value, is_active=True),
                RuleTarget.TYPE: RequestType.objects.filter(code=value),
                RuleTarget.URGENCY: UrgencyTier.objects.filter(code=value),
            }[target].exists()
            if not known:
                self.add_error("value", f"“{value}”不是有效的{RuleTarget.label_of(target)}编码")
        data["value"] = value
        return data


@admin.register(KeywordRule)
class KeywordRuleAdmin(admin.ModelAdmin):
    form = KeywordRuleForm
    list_display = ("name", "pattern", "exclude", "target", "value", "priority", "is_active",
                    "hits")
    list_filter = ("target", "is_active")
    search_fields = ("name", "pattern", "value")
    readonly_fields = ("hits", "created_at")


class TriagePolicyForm(forms.ModelForm):
    class Meta:
        model = TriagePolicy
        fields = ("auto_dispatch", "auto_dispatch_threshold", "retrain_weekday",
                  "retrain_min_orders", "history_days")

    def clean_auto_dispatch_threshold(self):
        value = self.cleaned_data["auto_dispatch_threshold"]
        if not 0 <= value <= 1:
            raise forms.ValidationError("阈值须在 0 到 1 之间")
        return value

    def clean_retrain_weekday(self):
        value = self.cleaned_data["retrain_weekday"]
        if value > 6:
            raise forms.ValidationError("星期几须在 0（周一）到 6（周日）之间")
        return value


@admin.register(TriagePolicy)
class TriagePolicyAdmin(admin.ModelAdmin):
    form = TriagePolicyForm
    list_display = ("__str__", "auto_dispatch", "auto_dispatch_threshold", "retrain_weekday",
                    "retrain_min_orders", "history_days")

    def has_add_permission(self, request):  # a single row
        return not TriagePolicy.objects.exists()


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are made by training and switched on the versions page."""

    list_display = ("__str__", "kind", "created_at", "created_by", "is_active", "n_train",
                    "train_seconds", "size_bytes")
    list_filter = ("kind", "is_active")
    fields = ("kind", "created_at", "created_by", "is_active", "activated_at", "n_train",
              "n_corrections", "train_seconds", "size_bytes", "metrics", "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("blob")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
