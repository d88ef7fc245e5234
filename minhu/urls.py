from django.contrib import admin
from django.urls import path

from minhu.api import api

admin.site.site_header = "民呼 12345 接诉即办平台"
admin.site.site_title = "民呼"
admin.site.index_title = "平台配置"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
