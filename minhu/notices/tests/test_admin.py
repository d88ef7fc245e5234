"""Operators edit templates (audited, checked, previewed), look at what was sent, resend."""

import pytest
from django.urls import reverse

from minhu.audit.models import AuditEntry
from minhu.notices.models import MessageTemplate, OptOut, OutgoingMessage
from minhu.notices.optout import opt_out
from minhu.notices.outgoing import send_sms

from .helpers import OTP


def edit(admin_client, template, **changes):
    data = {"name": template.name, "subject": template.subject, "body": template.body,
            "is_active": "on" if template.is_active else "",
            "transactional": "on" if template.transactional else ""}
    data.update(changes)
    return admin_client.post(reverse("admin:notices_messagetemplate_change",
                                     args=[template.pk]), {k: v for k, v in data.items() if v})


@pytest.mark.parametrize("model", ["messagetemplate", "outgoingmessage", "optout", "inboundsms"])
def test_every_list_opens(admin_client, model):
    assert admin_client.get(reverse(f"admin:notices_{model}_changelist")).status_code == 200


def test_the_seeded_templates_are_there_for_the_senders(db):
    assert set(MessageTemplate.objects.values_list("code", flat=True)) >= {
        "portal_otp", "order_registered", "order_replied", "citizen_result", "patrol_received"}
    assert MessageTemplate.objects.get(code="portal_otp").transactional is True


def test_an_operator_rewords_a_template_and_the_change_is_audited(admin_client):
    template = MessageTemplate.objects.get(code="citizen_result")
    response = edit(admin_client, template, body="工单 {number} 已办结，感谢您的耐心等待。")
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "工单 {number} 已办结，感谢您的耐心等待。"
    assert template.updated_by.username == "admin"
    entry = AuditEntry.objects.get(action="message_template_changed")
    assert entry.actor.username == "admin" and entry.fields == "body"
    assert entry.object_id == str(template.pk)
    message = send_sms("13812345678", "citizen_result", {"number": "YZ7"}, key="reworded")
    assert message.text.startswith("工单 YZ7 已办结，感谢您的耐心等待。")


def test_the_change_page_previews_the_message_with_sample_content(admin_client):
    template = MessageTemplate.objects.get(code="order_replied")
    page = admin_client.get(reverse("admin:notices_messagetemplate_change", args=[template.pk]))
    html = page.content.decode()
    assert "YZ20260301000123" in html and "东城区锦绣街道" in html and "回复TD退订" in html


@pytest.mark.parametrize(("body", "error"), [
    ("工单 {number} 请致电 {phone}", "不认识：phone"),
    ("工单 {number 已办结", "花括号须成对出现"),
    ("工单 {number} 已办结 🎉", "表情符号"),
    ("长" * 600 + "{number}", "短信内容过长"),
])
def test_a_template_edit_that_would_break_sending_is_refused(admin_client, body, error):
    template = MessageTemplate.objects.get(code="citizen_result")
    response = edit(admin_client, template, body=body)
    assert response.status_code == 200
    assert error in response.content.decode()
    template.refresh_from_db()
    assert template.body != body
    assert not AuditEntry.objects.filter(action="message_template_changed").exists()


def test_outgoing_messages_are_listed_with_masked_numbers_and_found_by_them(admin_client):
    send_sms("13812345678", "portal_otp", OTP, key="list:1")
    send_sms("13900001111", "portal_otp", OTP, key="list:2")
    url = reverse("admin:notices_outgoingmessage_changelist")
    html = admin_client.get(url).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    found = admin_client.get(url, {"q": "139****1111"}).content.decode()
    assert "139****1111" in found and "138****5678" not in found
    by_status = admin_client.get(url, {"status__exact": "queued"})
    assert by_status.status_code == 200


def test_resending_a_failed_message_sends_it_again_and_is_audited(
        admin_client, sms_outbox, django_capture_on_commit_callbacks):
    message = send_sms("13812345678", "portal_otp", OTP, key="resend:1")
    OutgoingMessage.objects.filter(pk=message.pk).update(status="failed", attempts=5,
                                                         last_error="down")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:notices_outgoingmessage_changelist"),
                                     {"action": "resend", "_selected_action": [message.pk]})
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert len(sms_outbox) == 1
    assert AuditEntry.objects.filter(action="message_resent", object_id=str(message.pk)).exists()


def test_opt_outs_are_listed_masked_and_can_be_lifted(admin_client):
    opt_out("13812345678", "sms_reply")
    url = reverse("admin:notices_optout_changelist")
    assert "138****5678" in admin_client.get(url).content.decode()
    row = OptOut.objects.get()
    admin_client.post(url, {"action": "back_in", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.active is False
    assert AuditEntry.objects.filter(action="message_opt_in").exists()


def test_templates_the_platform_sends_cannot_be_deleted_only_deactivated(admin_client):
    template = MessageTemplate.objects.get(code="order_replied")
    url = reverse("admin:notices_messagetemplate_delete", args=[template.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert MessageTemplate.objects.filter(code="order_replied").exists()


def test_an_operator_adds_an_email_template_for_a_new_sender(admin_client):
    url = reverse("admin:notices_messagetemplate_add")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {
        "code": "order_registered_mail", "kind": "email", "name": "受理告知（邮件）",
        "subject": "工单 {number} 已受理", "body": "您的诉求已受理，工单编号 {number}。",
        "is_active": "on"})
    assert response.status_code == 302
    template = MessageTemplate.objects.get(code="order_registered_mail")
    page = admin_client.get(reverse("admin:notices_messagetemplate_change", args=[template.pk]))
    assert "主题：工单 &lt;number&gt; 已受理" in page.content.decode()
    assert AuditEntry.objects.filter(action="message_template_changed",
                                     object_id=str(template.pk)).exists()
