from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from .actions import resend_message, save_template
from .addresses import mask_address
from .models import InboundSms, MessageTemplate, OptOut, OutgoingMessage
from .outgoing import _check_text, optout_hint
from .rendering import check_body, placeholders, render
from .seeds import CONTEXT, TEMPLATES

SEEDED_CODES = {row[0] for row in TEMPLATES}

SAMPLE_PHONE = "13800000000"


def sample_context(code: str, body: str) -> dict:
    """The fields the sender passes (with realistic values), or the placeholder names
    themselves for a template no code sends yet."""
    return CONTEXT.get(code) or {name: f"<{name}>" for name in placeholders(body)}


def preview(template: MessageTemplate) -> tuple[str, str]:
    context = sample_context(template.code, template.body + template.subject)
    text = render(template.body, context, code=template.code).strip()
    if not template.transactional:
        sep = "" if template.kind == "email" else " "
        text += sep + optout_hint(template.kind, SAMPLE_PHONE)
    return render(template.subject, context, code=template.code), text


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["code", "kind", "name", "subject", "body", "is_active", "transactional"]

    def clean(self):
        data = super().clean()
        code = data.get("code") or self.instance.code
        body, subject = data.get("body") or "", data.get("subject") or ""
        for field, value in (("body", body), ("subject", subject)):
            try:
                check_body(value)
            except ValueError as exc:
                self.add_error(field, str(exc))
                return data
        allowed = set(CONTEXT.get(code, {}))
        unknown = placeholders(body + subject) - allowed if code in CONTEXT else set()
        if unknown:
            known = "、".join("{" + name + "}" for name in sorted(allowed))
            self.add_error("body", f"此模板只能使用占位符：{known}；不认识："
                                   + "、".join(sorted(unknown)))
            return data
        draft = MessageTemplate(code=code, kind=data.get("kind") or self.instance.kind,
                                body=body, subject=subject,
                                transactional=bool(data.get("transactional")))
        try:
            subject_text, text = preview(draft)
            _check_text(draft.kind, text, subject_text)
        except Exception as exc:  # the sender would hit the same error: refuse the edit
            self.add_error("body", getattr(exc, "message", str(exc)))
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("code", "name", "kind", "is_active", "transactional", "updated_at",
                    "updated_by")
    list_filter = ("kind", "is_active", "transactional")
    search_fields = ("code", "name", "body")
    readonly_fields = ("preview_text", "updated_at", "updated_by")

    def has_delete_permission(self, request, obj=None):
        # The platform sends these codes: deactivate instead, which is recorded per message.
        if obj is not None and obj.code in SEEDED_CODES:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # The code ties the template to the sender; changing it would break sending.
        extra = ("code", "kind") if obj else ()
        return extra + self.readonly_fields

    @admin.display(description="预览（示例内容）")
    def preview_text(self, obj):
        if not obj or not obj.pk:
            return "保存后显示"
        try:
            subject, text = preview(obj)
        except Exception as exc:
            return f"无法预览：{exc}"
        return format_html("{}<div style='white-space:pre-wrap;max-width:40em'>{}</div>"
                           "<div class='help'>{} 字</div>",
                           f"主题：{subject}" if subject else "", text, len(text))

    def save_model(self, request, obj, form, change):
        save_template(request.user, obj, list(form.changed_data),
                      ip=request.META.get("REMOTE_ADDR"))


class MaskedSearchMixin:
    """Staff search by the number as it is shown (138****5678), the full number, or an
    order number; lists never show the full number."""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        field = self.address_field
        if "****" in term:
            head, _, tail = term.partition("****")
            return queryset.filter(**{f"{field}__startswith": head,
                                      f"{field}__endswith": tail}), False
        query = Q(**{field: term}) | Q(**{f"{field}__iexact": term})
        for extra in self.extra_search:
            query |= Q(**{extra: term})
        return queryset.filter(query), False


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(MaskedSearchMixin, admin.ModelAdmin):
    address_field = "to"
    extra_search = ("order__number", "template")
    search_fields = ("to",)  # shows the search box; the lookup itself is above
    search_help_text = "按号码（完整号码，或“前三位****后四位”）、邮箱、工单编号或模板代码搜索"
    list_display = ("created_at", "kind", "masked_to", "template", "status", "attempts",
                    "order_number", "sent_at", "last_error")
    list_filter = ("status", "kind", "template", "transactional")
    list_select_related = ("order",)
    actions = ["resend"]
    fields = ("kind", "masked_to", "template", "subject", "text", "order_number",
              "transactional", "status", "attempts", "last_error", "backend", "provider_id",
              "created_at", "sent_at", "next_attempt_at", "key")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # rows are the record of what was sent; "重新发送" is the only change

    @admin.display(description="收件人")
    def masked_to(self, obj):
        return mask_address(obj.to)

    @admin.display(description="工单", ordering="order__number")
    def order_number(self, obj):
        return obj.order.number if obj.order_id else ""

    def has_resend_permission(self, request):
        return request.user.has_perm("notices.change_outgoingmessage")

    @admin.action(description="重新发送", permissions=["resend"])
    def resend(self, request, queryset):
        count = sum(resend_message(request.user, m, ip=request.META.get("REMOTE_ADDR"))
                    for m in queryset)
        self.message_user(request, f"已重新排队发送 {count} 条消息", messages.SUCCESS)


@admin.register(OptOut)
class OptOutAdmin(MaskedSearchMixin, admin.ModelAdmin):
    address_field = "address"
    extra_search = ()
    search_fields = ("address",)
    list_display = ("masked_address", "kind", "active", "source", "opted_out_at", "opted_in_at")
    list_filter = ("active", "kind", "source")
    readonly_fields = ("masked_address", "kind", "active", "source", "opted_out_at",
                       "opted_in_at")
    fields = readonly_fields
    actions = ["back_in"]

    def has_add_permission(self, request):
        return False  # opt-outs come from the citizen (reply, link); see the docs

    @admin.display(description="号码 / 邮箱")
    def masked_address(self, obj):
        return mask_address(obj.address)

    @admin.action(description="恢复接收（市民本人要求时）", permissions=["change"])
    def back_in(self, request, queryset):
        from minhu.audit.actions import record

        from .optout import opt_back_in

        count = 0
        for row in queryset.filter(active=True):
            count += opt_back_in(row.address)
            record(request.user, "message_opt_in", row, via="admin",
                   ip=request.META.get("REMOTE_ADDR"))
        self.message_user(request, f"已恢复 {count} 个号码的通知", messages.SUCCESS)


@admin.register(InboundSms)
class InboundSmsAdmin(MaskedSearchMixin, admin.ModelAdmin):
    address_field = "sender"
    extra_search = ()
    search_fields = ("sender",)
    list_display = ("received_at", "masked_sender", "text", "action")
    list_filter = ("action",)
    fields = ("received_at", "masked_sender", "text", "action")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="发送号码")
    def masked_sender(self, obj):
        return mask_address(obj.sender)
