import pytest


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Every notices test delivers into memory; ``sms_outbox`` is what went out."""
    from minhu.notices.backends import locmem

    settings.MINHU_SMS_BACKEND = "minhu.notices.backends.locmem.LocmemBackend"
    settings.MINHU_SMS_SIGNATURE = "【云州12345】"
    settings.MINHU_PUBLIC_URL = "https://12345.yunzhou.example"
    locmem.reset()
    yield locmem.outbox
    locmem.reset()
