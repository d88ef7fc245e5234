"""For tests: messages collect in ``outbox``; ``fail_next`` makes deliveries fail."""

from . import DeliveryError, signature

outbox: list[dict] = []
fail_next: list[str] = []


def reset() -> None:
    outbox.clear()
    fail_next.clear()


class LocmemBackend:
    def send(self, message) -> str:
        if fail_next:
            raise DeliveryError(fail_next.pop(0))
        outbox.append({"id": message.pk, "kind": message.kind, "to": message.to,
                       "template": message.template, "subject": message.subject,
                       "text": message.text, "signature": signature()})
        return f"locmem-{message.pk}"
