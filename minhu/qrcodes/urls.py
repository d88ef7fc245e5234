from django.urls import path

from . import views

app_name = "qrcodes"

urlpatterns = [
    path("manage/", views.manage, name="manage"),
    path("manage/places/<int:place_id>/sheet.pdf", views.sheet, name="sheet"),
    path("manage/places/<int:place_id>/renew/", views.renew, name="renew"),
    path("manage/batches/", views.batch_create, name="batch-create"),
    path("manage/batches/<int:pk>/", views.batch, name="batch"),
    path("manage/batches/<int:pk>/file/", views.batch_file, name="batch-file"),
    path("<str:code>/", views.scan, name="scan"),
]
