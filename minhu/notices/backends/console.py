import logging

from minhu.notices.addresses import mask_address

from . import signature

log = logging.getLogger("minhu.notices.console")


class ConsoleBackend:
    """Development default: the message goes to the log, the number masked (logs are
    read by many; the full text stays in the database, where access is controlled)."""

    def send(self, message) -> str:
        log.warning("[%s] to %s (%s): %s%s", message.kind, mask_address(message.to),
                    message.template, signature(), message.text)
        return ""
