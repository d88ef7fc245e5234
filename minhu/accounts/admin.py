from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from minhu.org.admin import OneUnitFilter
from minhu.org.kinds import UnitKind
from minhu.org.models import Unit

from .models import ApiToken, User
from .roles import Role

ROLE_HELP = (
    "一个人可以有多个角色。话务员登记诉求；派单员派单、审核退单和延期；承办人、单位负责人"
    "在本单位办理工单；督办员催办、挂牌督办、提级办理；回访员回访市民；分析员/领导看报表；"
    "系统管理员维护本后台；外部评议员只能查看已办结工单。"
)
UNIT_HELP = (
    "此人工作的单位。12345 中心的工作人员选中心；分中心派单员选分中心；承办人和单位负责人"
    "选其所在的街道、社区、委办局等。可输入名称或编码搜索。"
)


class RolesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Role.choices, widget=forms.CheckboxSelectMultiple,
                         label="角色", help_text=ROLE_HELP, **kwargs)


def _role_groups(codes) -> list[Group]:
    from .setup import ensure_role_groups

    ensure_role_groups()
    return list(Group.objects.filter(name__in=list(codes)))


class StaffCreationForm(AdminUserCreationForm):
    """Adding a member of staff: who, where they work and what they do, in one page."""

    roles = RolesField(required=True)

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "phone", "unit")
        help_texts = {
            "username": "登录用的账号，只能用字母、数字和 @/./+/-/_，如 dc01_zhangsan。",
            "display_name": "真实姓名，显示在工单时间线和通知里。",
            "phone": "工作电话，可不填。",
            "unit": UNIT_HELP,
        }

    class Media:
        # What Django's own add-user page loads (this page uses the plain change form, so
        # that it carries our Chinese instructions instead of an untranslated line).
        css = {"all": ["admin/css/unusable_password_field.css"]}
        js = ["admin/js/unusable_password_field.js"]

    def clean(self):
        data = super().clean()
        roles, unit = set(data.get("roles") or []), data.get("unit")
        _check_roles_and_unit(self, roles, unit)
        return data


class StaffChangeForm(UserChangeForm):
    roles = RolesField(required=False)

    class Meta(UserChangeForm.Meta):
        model = User
        help_texts = {"unit": UNIT_HELP, "display_name": "真实姓名，显示在工单时间线和通知里。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = list(
                self.instance.groups.filter(name__in=Role.values).values_list("name", flat=True))

    def clean(self):
        data = super().clean()
        if "unit" in self.fields and "roles" in data:
            _check_roles_and_unit(self, set(data.get("roles") or []), data.get("unit"))
        return data


def _check_roles_and_unit(form, roles: set, unit: Unit | None) -> None:
    """Catch the mistakes that would leave a person unable to work."""
    unit_roles = {Role.UNIT_HANDLER, Role.UNIT_LEADER}
    if roles & unit_roles and unit is None:
        form.add_error("unit", "承办人和单位负责人必须选择所属单位")
    if roles & unit_roles and unit is not None and unit.kind in (UnitKind.CENTRE,
                                                                  UnitKind.SUB_CENTRE):
        form.add_error("unit", "承办人和单位负责人应属于承办单位（街道、委办局等），"
                               "不能是 12345 中心或分中心")
    if Role.DISPATCHER in roles and unit is not None and unit.kind not in (
            UnitKind.CENTRE, UnitKind.SUB_CENTRE):
        form.add_error("unit", "派单员应属于 12345 中心或分中心")


class RoleFilter(admin.SimpleListFilter):
    title = "角色"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        if self.value() in Role.values:
            return queryset.filter(groups__name=self.value())
        return queryset


class UnitKindFilter(admin.SimpleListFilter):
    title = "单位类型"
    parameter_name = "unit_kind"

    def lookups(self, request, model_admin):
        return [*UnitKind.choices, ("none", "未设置单位")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(unit__isnull=True)
        if self.value() in UnitKind.values:
            return queryset.filter(unit__kind=self.value())
        return queryset


class UnitFilter(OneUnitFilter):
    """The staff of one unit (the “工作人员” links of the unit list lead here)."""

    title = "所属单位"
    parameter_name = "unit"
    field = "unit_id"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    add_form_template = "admin/change_form.html"
    list_display = ("username", "display_name", "role_names", "unit", "is_active", "last_login")
    list_filter = (RoleFilter, UnitKindFilter, UnitFilter, "is_active", "is_superuser")
    search_fields = ("username", "display_name", "phone", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("工作信息", {"fields": ("display_name", "phone", "unit", "roles")}),
        ("账号状态", {"fields": ("is_active", "last_login", "date_joined")}),
        ("高级权限", {
            "classes": ("collapse",),
            "description": "一般无需修改。“职员状态”允许登录本后台，“超级用户”拥有全部权限。",
            "fields": ("is_staff", "is_superuser", "user_permissions", "first_name",
                       "last_name", "email"),
        }),
    )
    add_fieldsets = (
        (None, {
            "classes": ("wide",),
            "description": "填写账号、姓名、所属单位和角色，设置初始密码后保存。"
                           "请提醒本人首次登录后修改密码。",
            "fields": ("username", "display_name", "phone", "unit", "roles",
                       "usable_password", "password1", "password2"),
        }),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="角色")
    def role_names(self, obj):
        labels = [Role.label_of(g.name) for g in obj.groups.all() if g.name in Role.values]
        return "、".join(labels) or "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "roles" not in form.cleaned_data:
            return
        user = form.instance
        wanted = set(form.cleaned_data["roles"] or [])
        role_groups = _role_groups(Role.values)
        user.groups.remove(*[g for g in role_groups if g.name not in wanted])
        user.groups.add(*[g for g in role_groups if g.name in wanted])
        user.__dict__.pop("roles", None)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "scopes", "created_at", "last_used_at",
                    "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    search_fields = ("name", "user__username")
    list_select_related = ("user",)
