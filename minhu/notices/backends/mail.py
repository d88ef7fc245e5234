from django.conf import settings
from django.core.mail import EmailMessage

from . import DeliveryError


class DjangoMailBackend:
    """E-mail through Django's mail system: EMAIL_BACKEND / EMAIL_HOST / ... decide how."""

    def send(self, message) -> str:
        mail = EmailMessage(subject=message.subject or "", body=message.text,
                            from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
                            to=[message.to],
                            headers={"X-Minhu-Message-Id": str(message.pk)})
        try:
            sent = mail.send(fail_silently=False)
        except Exception as exc:  # SMTP, DNS, TLS … every failure is a retry later
            raise DeliveryError(f"邮件发送失败：{type(exc).__name__}: {exc}"[:400]) from None
        if not sent:
            raise DeliveryError("邮件未被邮件系统接受")
        return ""
