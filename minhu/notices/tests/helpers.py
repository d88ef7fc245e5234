from minhu.notices.models import OutgoingMessage

OTP = {"code": "362514", "minutes": 5}


def last_message(to: str, template: str) -> OutgoingMessage:
    return OutgoingMessage.objects.filter(to=to, template=template).latest("pk")
