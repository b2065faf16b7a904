"""Pages of live sessions under /live/."""

from django.urls import path

from live.views import room

app_name = "live"

urlpatterns = [
    # A session's page, its room and its replay (live/views/room.py).
    path("<int:pk>/", room.session_detail, name="session"),
    path("<int:pk>/room/", room.room, name="room"),
    path("<int:pk>/replay/", room.replay, name="replay"),
]
