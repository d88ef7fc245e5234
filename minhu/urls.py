from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from minhu.api import api
from minhu.core.views import healthz

admin.site.site_header = "民呼 12345 接诉即办平台"
admin.site.site_title = "民呼"
admin.site.index_title = "平台配置"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("intake/", include("minhu.intake.urls")),
    path("notify/", include("minhu.notices.urls")),
    path("m/", include("minhu.portal.urls")),
    path("qr/", include("minhu.qrcodes.urls")),
    path("patrol/", include("minhu.patrol.urls")),
    path("cti/", include("minhu.telephony.urls")),
    path("partners/", include("minhu.partners.urls")),
    path("outbox/", include("minhu.outbox.urls")),
    path("exchange/", include("minhu.exchange.urls")),
    path("open311/v2/", include("minhu.open311.urls")),
    path("triage/", include("minhu.triage.urls")),
    path("dedup/", include("minhu.dedup.urls")),
    path("", include("minhu.web.urls")),
]

handler400 = "minhu.core.views.bad_request"
handler404 = "minhu.core.views.not_found"
handler500 = "minhu.core.views.server_error"
