"""The message templates the code sends, seeded on migrate and edited in the admin.

``CONTEXT`` lists the fields each caller passes: the admin refuses a template that uses
any other placeholder, so an edit can never break a sender at run time."""

TEMPLATES = [
    # code, kind, name, subject, body, transactional
    ("portal_otp", "sms", "市民门户验证码", "",
     "您的验证码为 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本短信。", True),
    ("order_registered", "sms", "诉求已受理", "",
     "您的诉求已受理，工单编号 {number}。查询办理进度：{track_url}", False),
    ("order_replied", "sms", "诉求已答复，请评价", "",
     "您反映的问题（工单 {number}）已由{unit}答复。请对办理结果进行评价：{rate_url}", False),
    ("citizen_result", "sms", "并单办结告知", "",
     "您反映的问题（工单 {number}）已随同类诉求一并办结，可凭工单编号查询办理结果。", False),
    ("patrol_received", "sms", "巡查上报已登记", "",
     "您上报的问题已登记，工单编号 {number}。", True),
    # For operators checking the configuration: `minhu messages test <phone|e-mail>`.
    ("gateway_test", "sms", "通道测试短信", "",
     "这是一条 12345 平台的测试短信（{time}），无需回复。", True),
    ("gateway_test_email", "email", "通道测试邮件", "12345 平台测试邮件",
     "这是一封 12345 平台的测试邮件（{time}），无需回复。", True),
]

CONTEXT = {
    "portal_otp": {"code": "362514", "minutes": 5},
    "order_registered": {"number": "YZ20260301000123",
                         "track_url": "https://12345.example.gov.cn/m/track/"},
    "order_replied": {"number": "YZ20260301000123", "unit": "东城区锦绣街道",
                      "rate_url": "https://12345.example.gov.cn/m/rate/…/"},
    "citizen_result": {"number": "YZ20260301000123"},
    "patrol_received": {"number": "YZ20260301000123"},
    "gateway_test": {"time": "2026-03-01 09:30"},
    "gateway_test_email": {"time": "2026-03-01 09:30"},
}


def seed_templates(MessageTemplate) -> int:
    """Create the templates that are missing; never overwrite an operator's edits."""
    created = 0
    for code, kind, name, subject, body, transactional in TEMPLATES:
        _, was_created = MessageTemplate.objects.get_or_create(
            code=code, defaults={"kind": kind, "name": name, "subject": subject,
                                 "body": body, "transactional": transactional})
        created += was_created
    return created
