import json
import threading
from pathlib import Path

from django.conf import settings

from minhu.core import clock

from . import DeliveryError, signature

_lock = threading.Lock()


def message_file() -> Path:
    configured = getattr(settings, "MINHU_MESSAGE_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "outgoing-messages.jsonl"


class FileBackend:
    """Appends one JSON line per message to a file under DATA_DIR: demos and browser
    tests read the one-time codes and links from there instead of a phone."""

    def send(self, message) -> str:
        line = json.dumps({
            "id": message.pk, "kind": message.kind, "to": message.to,
            "template": message.template, "subject": message.subject, "text": message.text,
            "signature": signature(), "at": clock.now().isoformat(),
        }, ensure_ascii=False)
        path = message_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _lock, path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise DeliveryError(f"写入消息文件失败：{exc}") from exc
        return ""
