from django.urls import path

from cineloops import views

app_name = "cineloops"

urlpatterns = [
    path("", views.loop_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.loop_detail, name="detail"),
    path("<int:pk>/delete/", views.loop_delete, name="delete"),
    path("<int:pk>/reprocess/", views.loop_reprocess, name="reprocess"),
    path("<int:pk>/review/no-text/", views.loop_confirm_no_text, name="confirm_no_text"),
    path("<int:pk>/review/keep-mask/", views.loop_keep_mask, name="keep_mask"),
    path("<int:pk>/media/<slug:kind>/", views.loop_media, name="media"),
]
